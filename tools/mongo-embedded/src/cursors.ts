// Server-side cursors for find/aggregate/listX results larger than one batch. A cursor holds the
// fully computed result (documents are immutable, so holding references is a consistent snapshot)
// and a position; getMore hands out the next batch.
import { BSON, Long } from 'bson';
import type { Document } from 'bson';

/** Leave headroom under the 16 MiB reply limit for the reply envelope. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
const IDLE_TIMEOUT_MS = 10 * 60 * 1000;
const DEFAULT_FIRST_BATCH = 101;

interface Cursor {
  id: number;
  ns: string;
  docs: Document[];
  pos: number;
  /** Applied lazily per batch so projection work is only spent on documents actually returned. */
  transform: (docs: Document[]) => Document[];
  lastUsed: number;
}

export class CursorRegistry {
  private readonly cursors = new Map<number, Cursor>();
  private nextId = 1 + Math.floor(Math.random() * 1e6);
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => this.reap(), 60_000);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.cursors.clear();
  }

  get open(): number {
    return this.cursors.size;
  }

  private takeBatch(c: Pick<Cursor, 'docs' | 'pos' | 'transform'>, batchSize: number | undefined): { batch: Document[]; pos: number } {
    const limit = batchSize && batchSize > 0 ? batchSize : Infinity;
    const batch: Document[] = [];
    let bytes = 0;
    let pos = c.pos;
    while (pos < c.docs.length && batch.length < limit) {
      // Transform in small slices so the byte cap can stop early on huge documents.
      const slice = c.transform(c.docs.slice(pos, pos + Math.min(limit - batch.length, 1000)));
      let consumed = 0;
      for (const d of slice) {
        const size = BSON.calculateObjectSize(d);
        if (batch.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
        batch.push(d);
        bytes += size;
        consumed++;
      }
      pos += consumed;
      if (consumed < slice.length) break;
    }
    return { batch, pos };
  }

  /** Builds the first-batch reply and registers a cursor if documents remain. */
  first(ns: string, docs: Document[], batchSize: number | undefined, transform: (d: Document[]) => Document[] = (d) => d, singleBatch = false): Document {
    const size = batchSize === undefined ? DEFAULT_FIRST_BATCH : batchSize === 0 ? 0 : batchSize;
    const { batch, pos } = size === 0 ? { batch: [], pos: 0 } : this.takeBatch({ docs, pos: 0, transform }, size);
    let id = 0;
    if (pos < docs.length && !singleBatch) {
      id = this.nextId++;
      this.cursors.set(id, { id, ns, docs, pos, transform, lastUsed: Date.now() });
    }
    return { cursor: { firstBatch: batch, id: Long.fromNumber(id), ns }, ok: 1 };
  }

  /** Returns null when the cursor id is unknown (caller reports CursorNotFound). */
  more(id: number, ns: string, batchSize: number | undefined): Document | null {
    const c = this.cursors.get(id);
    if (!c || c.ns !== ns) return null;
    const { batch, pos } = this.takeBatch(c, batchSize);
    c.pos = pos;
    c.lastUsed = Date.now();
    const done = c.pos >= c.docs.length;
    if (done) this.cursors.delete(id);
    return { cursor: { nextBatch: batch, id: Long.fromNumber(done ? 0 : id), ns }, ok: 1 };
  }

  kill(ids: number[]): { killed: number[]; notFound: number[] } {
    const killed: number[] = [];
    const notFound: number[] = [];
    for (const id of ids) (this.cursors.delete(id) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  private reap(): void {
    const cutoff = Date.now() - IDLE_TIMEOUT_MS;
    for (const [id, c] of this.cursors) if (c.lastUsed < cutoff) this.cursors.delete(id);
  }
}
