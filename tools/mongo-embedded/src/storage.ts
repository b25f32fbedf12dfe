// The storage engine: the catalog of databases and collections held in memory, made durable by the
// journal, with snapshot-based compaction, crash recovery and the TTL monitor.
//
// Journal records carry whole document images ("put this version of _id X") and deletes by _id, never
// deltas. Replaying a record twice therefore gives the same result, which makes compaction simple: the
// snapshot may also contain writes that are replayed again from the newer journal generation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { BSON } from 'bson';
import type { Document } from 'bson';
import { Collection } from './collection';
import { BTreeLikeIndex } from './indexes';
import type { IndexSpec } from './indexes';
import { Journal, fsyncDir, listJournals, readRecords, writeRecordsFile } from './journal';
import { encodeValue, valuesAtPath } from './keys';
import { ErrorCodes, MongoCommandError } from './errors';

export interface EngineOptions {
  dbPath: string;
  /** Compact (snapshot + drop old journal) when the journal grows beyond this many bytes. */
  compactBytes?: number;
  ttlSweepMs?: number;
  log?: (msg: string) => void;
}

const SNAPSHOT = 'snapshot.bson';
const LOCK = 'mongo-embedded.lock';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
const SNAPSHOT_CHUNK = 1000;
const SNAPSHOT_CHUNK_BYTES = 8 * 1024 * 1024;
/** Journal records for multi-document writes are split so no single record grows unbounded. */
const LOG_CHUNK = 1000;

export class Engine {
  readonly dbs = new Map<string, Map<string, Collection>>();
  private journal!: Journal;
  private compacting: Promise<void> | null = null;
  private ttlTimer: NodeJS.Timeout | null = null;
  private readonly compactBytes: number;
  readonly stats = { compactions: 0, recoveredRecords: 0, tornBytes: 0, ttlDeleted: 0 };

  constructor(private readonly opts: EngineOptions) {
    this.compactBytes = opts.compactBytes ?? 64 * 1024 * 1024;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Two servers appending to one journal would corrupt it, so the directory is locked by pid. A lock
   * left by a killed process is taken over (its pid is no longer alive).
   */
  private lock(): void {
    const file = path.join(this.opts.dbPath, LOCK);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const pid = Number(fs.readFileSync(file, 'utf8'));
        if (pid && pid !== process.pid && isAlive(pid)) throw new Error(`dbPath ${this.opts.dbPath} is in use by process ${pid}`);
        if (pid === process.pid && Engine.openPaths.has(path.resolve(this.opts.dbPath))) {
          throw new Error(`dbPath ${this.opts.dbPath} is in use by this process`);
        }
        fs.rmSync(file, { force: true });
      }
    }
    throw new Error(`could not lock ${file}`);
  }

  private static readonly openPaths = new Set<string>();

  open(): void {
    fs.mkdirSync(this.opts.dbPath, { recursive: true });
    this.lock();
    Engine.openPaths.add(path.resolve(this.opts.dbPath));
    try {
      this.recover();
    } catch (err) {
      this.unlock();
      throw err;
    }
  }

  private unlock(): void {
    Engine.openPaths.delete(path.resolve(this.opts.dbPath));
    fs.rmSync(path.join(this.opts.dbPath, LOCK), { force: true });
  }

  /** Loads the snapshot, replays newer journal generations, and opens a fresh generation for appends. */
  private recover(): void {
    const snapFile = path.join(this.opts.dbPath, SNAPSHOT);
    let snapGen = 0;
    if (fs.existsSync(snapFile)) {
      const { records } = readRecords(snapFile);
      const head = records[0];
      const complete = records.length > 0 && records[records.length - 1].op === 'end';
      if (!head || head.op !== 'snap' || !complete) throw new Error(`corrupt snapshot ${snapFile}`);
      snapGen = head.gen as number;
      for (const r of records.slice(1, -1)) this.apply(r);
    }
    let lastGen = snapGen;
    for (const { gen, file } of listJournals(this.opts.dbPath)) {
      if (gen <= snapGen) {
        fs.rmSync(file, { force: true }); // left behind by a crash right after a snapshot was published
        continue;
      }
      const { records, validBytes, totalBytes } = readRecords(file);
      for (const r of records) this.apply(r);
      this.stats.recoveredRecords += records.length;
      if (validBytes < totalBytes) {
        // Torn tail from a crash mid-write: those writes were never acknowledged.
        this.stats.tornBytes += totalBytes - validBytes;
        fs.truncateSync(file, validBytes);
        this.opts.log?.(`recovery: dropped ${totalBytes - validBytes} torn bytes from ${path.basename(file)}`);
      }
      lastGen = gen;
    }
    // Each start appends to a fresh generation so a truncated file is never appended to mid-record.
    this.journal = new Journal(this.opts.dbPath, lastGen + 1);
    // Background work must never surface as an unhandled rejection (which would kill the process):
    // a failed compaction leaves the journal intact, and a failed TTL pass is retried next interval.
    this.journal.onFlushed = () => {
      if (this.journal.size > this.compactBytes && !this.compacting) {
        this.compact().catch((err: unknown) => this.opts.log?.(`compaction failed: ${String(err)}`));
      }
    };
    if (this.opts.ttlSweepMs !== 0) {
      const sweep = (): void => {
        this.ttlSweep().catch((err: unknown) => this.opts.log?.(`TTL sweep failed: ${String(err)}`));
      };
      this.ttlTimer = setInterval(sweep, this.opts.ttlSweepMs ?? 10_000);
      this.ttlTimer.unref();
    }
  }

  async close(): Promise<void> {
    if (this.ttlTimer) clearInterval(this.ttlTimer);
    if (this.compacting) await this.compacting.catch(() => undefined);
    await this.journal.close();
    this.unlock();
  }

  /** Replays one journal/snapshot record. Idempotent by construction (see file comment). */
  private apply(r: Document): void {
    const db = r.db as string;
    const c = r.c as string;
    switch (r.op) {
      case 'c':
        if (!this.getCollection(db, c)) this.addCollection(db, c, (r.o as Document) ?? {}, r.u as string);
        break;
      case 'x':
        this.dbs.get(db)?.delete(c);
        break;
      case 'X':
        this.dbs.delete(db);
        break;
      case 'ci': {
        const coll = this.getCollection(db, c);
        const spec = r.s as IndexSpec;
        if (coll && !coll.indexes.has(spec.name)) coll.createIndex(spec, false);
        break;
      }
      case 'di':
        this.getCollection(db, c)?.indexes.delete(r.n as string);
        break;
      case 'i': {
        const coll = this.getCollection(db, c) ?? this.addCollection(db, c, {}, randomUUID());
        for (const d of r.d as Document[]) coll.put(d);
        break;
      }
      case 'd': {
        const coll = this.getCollection(db, c);
        if (coll) for (const id of r.k as unknown[]) coll.remove(encodeValue(id));
        break;
      }
      default:
        throw new Error(`unknown journal record op ${String(r.op)}`);
    }
  }

  // ---------------------------------------------------------------- catalog

  getCollection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  private addCollection(db: string, name: string, options: Document, uuid: string): Collection {
    let colls = this.dbs.get(db);
    if (!colls) this.dbs.set(db, (colls = new Map()));
    const coll = new Collection(db, name, options, uuid);
    colls.set(name, coll);
    return coll;
  }

  createCollection(db: string, name: string, options: Document = {}): Collection {
    if (!name || name.includes('$') || name.startsWith('system.') || !db || /[/\\. "$]/.test(db)) {
      throw new MongoCommandError(ErrorCodes.InvalidNamespace, `Invalid namespace specified '${db}.${name}'`);
    }
    if (this.getCollection(db, name)) {
      throw new MongoCommandError(ErrorCodes.NamespaceExists, `Collection ${db}.${name} already exists.`);
    }
    const uuid = randomUUID();
    const coll = this.addCollection(db, name, options, uuid);
    this.journal.append({ op: 'c', db, c: name, o: options, u: uuid });
    return coll;
  }

  /** Implicit creation, as MongoDB does on first insert/upsert/createIndexes. */
  ensureCollection(db: string, name: string): { coll: Collection; created: boolean } {
    const existing = this.getCollection(db, name);
    if (existing) return { coll: existing, created: false };
    return { coll: this.createCollection(db, name), created: true };
  }

  dropCollection(db: string, name: string): boolean {
    const colls = this.dbs.get(db);
    if (!colls?.has(name)) return false;
    colls.delete(name);
    this.journal.append({ op: 'x', db, c: name });
    return true;
  }

  dropDatabase(db: string): void {
    if (!this.dbs.delete(db)) return;
    this.journal.append({ op: 'X', db });
  }

  createIndex(coll: Collection, spec: IndexSpec): boolean {
    const created = coll.createIndex(spec);
    if (created) this.journal.append({ op: 'ci', db: coll.db, c: coll.name, s: spec });
    return created;
  }

  dropIndex(coll: Collection, name: string): void {
    coll.dropIndex(name);
    this.journal.append({ op: 'di', db: coll.db, c: coll.name, n: name });
  }

  // ---------------------------------------------------------------- document writes (already applied in memory)

  logPut(coll: Collection, docs: Document[]): void {
    for (let i = 0; i < docs.length; i += LOG_CHUNK) {
      this.journal.append({ op: 'i', db: coll.db, c: coll.name, d: docs.length <= LOG_CHUNK ? docs : docs.slice(i, i + LOG_CHUNK) });
    }
  }

  logDelete(coll: Collection, ids: unknown[]): void {
    for (let i = 0; i < ids.length; i += LOG_CHUNK * 10) {
      this.journal.append({ op: 'd', db: coll.db, c: coll.name, k: ids.length <= LOG_CHUNK * 10 ? ids : ids.slice(i, i + LOG_CHUNK * 10) });
    }
  }

  /** Durability barrier: resolves when every write logged so far is fsynced. */
  commit(): Promise<void> {
    return this.journal.commit();
  }

  // ---------------------------------------------------------------- compaction

  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    this.compacting = this.doCompact().finally(() => {
      this.compacting = null;
    });
    return this.compacting;
  }

  private async doCompact(): Promise<void> {
    // Order matters: switch generations first, then capture. Writes between the two land in both the
    // new journal and the snapshot, which idempotent replay tolerates; none can fall in neither.
    const coveredGen = this.journal.rotate();
    const captured = [...this.dbs.entries()].flatMap(([db, colls]) =>
      [...colls.values()].map((coll) => ({
        db,
        name: coll.name,
        options: coll.options,
        uuid: coll.uuid,
        specs: coll.indexSpecs.filter((s) => s.name !== '_id_'),
        docs: [...coll.docs.values()], // documents are immutable once stored, so references suffice
      })),
    );
    async function* records(): AsyncGenerator<Document> {
      yield { op: 'snap', gen: coveredGen, at: new Date() };
      for (const c of captured) {
        yield { op: 'c', db: c.db, c: c.name, o: c.options, u: c.uuid };
        for (const s of c.specs) yield { op: 'ci', db: c.db, c: c.name, s };
        // Chunks bounded by count and by size, so a collection of large documents never builds one huge record.
        let chunk: Document[] = [];
        let bytes = 0;
        for (const doc of c.docs) {
          chunk.push(doc);
          bytes += BSON.calculateObjectSize(doc);
          if (chunk.length >= SNAPSHOT_CHUNK || bytes >= SNAPSHOT_CHUNK_BYTES) {
            yield { op: 'i', db: c.db, c: c.name, d: chunk };
            chunk = [];
            bytes = 0;
            await new Promise((r) => setImmediate(r)); // keep serving requests while serializing
          }
        }
        if (chunk.length) yield { op: 'i', db: c.db, c: c.name, d: chunk };
      }
      yield { op: 'end' };
    }
    await writeRecordsFile(path.join(this.opts.dbPath, SNAPSHOT), records());
    for (const { gen, file } of listJournals(this.opts.dbPath)) if (gen <= coveredGen) fs.rmSync(file, { force: true });
    fsyncDir(this.opts.dbPath);
    this.stats.compactions++;
    this.opts.log?.(`compacted: snapshot covers journal generations <= ${coveredGen}`);
  }

  journalBytes(): number {
    return this.journal.size;
  }

  // ---------------------------------------------------------------- TTL

  /** Deletes expired documents: TTL indexes (single date field) and time-series expireAfterSeconds. */
  async ttlSweep(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const colls of this.dbs.values()) {
      for (const coll of colls.values()) {
        const rules: Array<{ field: string; seconds: number; index?: BTreeLikeIndex }> = [];
        for (const idx of coll.indexes.values()) {
          const secs = idx.spec.expireAfterSeconds;
          if (typeof secs === 'number' && idx instanceof BTreeLikeIndex && idx.fields.length === 1) {
            rules.push({ field: idx.fields[0], seconds: secs, index: idx });
          }
        }
        const ts = coll.options.timeseries as Document | undefined;
        if (ts && typeof coll.options.expireAfterSeconds === 'number') {
          rules.push({ field: ts.timeField as string, seconds: coll.options.expireAfterSeconds });
        }
        for (const rule of rules) {
          const cutoff = now - rule.seconds * 1000;
          const path = rule.field.split('.');
          const candidates: Iterable<string> = rule.index
            ? rule.index.lookupRange('\x09', true, encodeValue(new Date(cutoff)), true)
            : coll.docs.keys();
          const expiredIds: unknown[] = [];
          for (const id of candidates) {
            const doc = coll.docs.get(id);
            if (!doc) continue;
            // MongoDB expires on the earliest date in an array; non-date values never expire.
            const dates = valuesAtPath(doc, path).filter((v): v is Date => v instanceof Date);
            if (dates.length && Math.min(...dates.map((d) => d.getTime())) <= cutoff) {
              coll.remove(id);
              expiredIds.push(doc._id);
            }
          }
          this.logDelete(coll, expiredIds);
          removed += expiredIds.length;
        }
      }
    }
    if (removed) {
      this.stats.ttlDeleted += removed;
      await this.commit();
    }
    return removed;
  }
}
