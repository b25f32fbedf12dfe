// Append-only write-ahead journal with group commit.
//
// Record framing: [u32 payload length][u32 crc32(payload)][payload = one BSON document]. A crash can
// leave the last record torn (short or with a bad checksum); recovery stops there and truncates, which
// loses only writes that were never acknowledged, because a write is acknowledged only after the
// fdatasync covering its record has returned.
//
// Journal files are numbered generations (journal.<gen>.log). Compaction switches appends to a new
// generation, writes a snapshot of memory, and deletes the old generations once the snapshot is durable.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { BSON } from 'bson';
import type { Document } from 'bson';
import { serialize } from './wire';

const HEADER = 8;

/** Node 20.15+ has zlib.crc32; keep a table-driven fallback so older runtimes still work. */
const crc32: (data: Uint8Array) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function'
    ? (data) => (zlib as unknown as { crc32(d: Uint8Array): number }).crc32(data)
    : (() => {
        const table = new Int32Array(256);
        for (let n = 0; n < 256; n++) {
          let c = n;
          for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
          table[n] = c;
        }
        return (data: Uint8Array) => {
          let c = -1;
          for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
          return (c ^ -1) >>> 0;
        };
      })();

export function frameRecord(record: Document): Buffer {
  const payload = serialize(record);
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, HEADER);
  return out;
}

const readOptions = { promoteLongs: true, promoteValues: true } as const;

/** Reads every intact record; `validBytes` is where the first torn or corrupt record starts. */
export function readRecords(file: string): { records: Document[]; validBytes: number; totalBytes: number } {
  const buf = fs.readFileSync(file);
  const records: Document[] = [];
  let offset = 0;
  while (offset + HEADER <= buf.length) {
    const len = buf.readUInt32LE(offset);
    const sum = buf.readUInt32LE(offset + 4);
    if (len < 5 || offset + HEADER + len > buf.length) break;
    const payload = buf.subarray(offset + HEADER, offset + HEADER + len);
    if (crc32(payload) !== sum) break;
    try {
      records.push(BSON.deserialize(payload, readOptions));
    } catch {
      break;
    }
    offset += HEADER + len;
  }
  return { records, validBytes: offset, totalBytes: buf.length };
}

export const journalName = (gen: number): string => `journal.${String(gen).padStart(8, '0')}.log`;

export function listJournals(dir: string): Array<{ gen: number; file: string }> {
  return fs
    .readdirSync(dir)
    .map((f) => ({ m: /^journal\.(\d+)\.log$/.exec(f), f }))
    .filter((x) => x.m)
    .map((x) => ({ gen: Number(x.m![1]), file: path.join(dir, x.f) }))
    .sort((a, b) => a.gen - b.gen);
}

export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic there.
  }
}

const write = (fd: number, buf: Buffer, pos: number): Promise<number> =>
  new Promise((resolve, reject) => fs.write(fd, buf, pos, buf.length - pos, null, (e, n) => (e ? reject(e) : resolve(n))));
const datasync = (fd: number): Promise<void> =>
  new Promise((resolve, reject) => fs.fdatasync(fd, (e) => (e ? reject(e) : resolve())));

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed or failing disk: nothing useful to do with a descriptor we are discarding.
  }
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

export class Journal {
  private fd: number;
  private pending: Buffer[] = [];
  private waiters: Waiter[] = [];
  private flushing = false;
  /** Bytes in the current generation's file (written or queued). */
  size = 0;
  /** Called after each durable flush, so the owner can decide to compact. */
  onFlushed: (() => void) | null = null;

  constructor(
    private readonly dir: string,
    public gen: number,
  ) {
    this.fd = this.openGen(gen);
  }

  private openGen(gen: number): number {
    const fd = fs.openSync(path.join(this.dir, journalName(gen)), 'a');
    this.size = fs.fstatSync(fd).size;
    fsyncDir(this.dir);
    return fd;
  }

  /** Queues a record. It becomes durable with the next commit(). */
  append(record: Document): void {
    const framed = frameRecord(record);
    this.pending.push(framed);
    this.size += framed.length;
  }

  /** Resolves once every record appended so far is on disk. Concurrent callers share one fsync. */
  commit(): Promise<void> {
    if (this.pending.length === 0 && !this.flushing) return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) void this.flushLoop();
    return p;
  }

  private async flushLoop(): Promise<void> {
    this.flushing = true;
    while (this.pending.length || this.waiters.length) {
      const batch = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      const fd = this.fd; // rotate() may switch files while this batch is in flight
      try {
        if (batch.length) {
          const buf = batch.length === 1 ? batch[0] : Buffer.concat(batch);
          for (let pos = 0; pos < buf.length; ) pos += await write(fd, buf, pos);
          await datasync(fd);
        }
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err as Error);
      }
      if (fd !== this.fd) closeQuietly(fd);
    }
    this.flushing = false;
    this.onFlushed?.();
  }

  /**
   * Starts a new generation: everything appended from now on (including queued, unwritten records)
   * goes to the new file. Returns the previous generation number.
   */
  rotate(): number {
    const old = this.gen;
    const oldFd = this.fd;
    this.gen = old + 1;
    this.fd = this.openGen(this.gen);
    this.size = this.pending.reduce((n, b) => n + b.length, 0);
    if (!this.flushing) closeQuietly(oldFd);
    return old;
  }

  async close(): Promise<void> {
    await this.commit();
    fs.closeSync(this.fd);
  }
}

/** Writes records to `file` atomically (temp file, fsync, rename, fsync dir), yielding between chunks. */
export async function writeRecordsFile(file: string, records: AsyncIterable<Document> | Iterable<Document>): Promise<void> {
  const tmp = `${file}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    let buffered: Buffer[] = [];
    let bytes = 0;
    for await (const r of records) {
      const framed = frameRecord(r);
      buffered.push(framed);
      bytes += framed.length;
      if (bytes > 4 << 20) {
        const buf = Buffer.concat(buffered);
        for (let pos = 0; pos < buf.length; ) pos += await write(fd, buf, pos);
        buffered = [];
        bytes = 0;
      }
    }
    const buf = Buffer.concat(buffered);
    for (let pos = 0; pos < buf.length; ) pos += await write(fd, buf, pos);
    await datasync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  fsyncDir(path.dirname(file));
}
