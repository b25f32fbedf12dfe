// Command dispatch: one handler per MongoDB command, translating wire documents into engine calls
// and engine results into MongoDB-shaped replies. Handlers mutate memory synchronously and only then
// await the journal, so each command is atomic with respect to every other connection.
import { BSON, Long, ObjectId, UUID } from 'bson';
import type { Document } from 'bson';
import { Aggregator, Query, update as mingoUpdate } from 'mingo';
import { compileFilter, metrics } from './collection';
import type { Collection, Selection } from './collection';
import type { Engine } from './storage';
import type { CursorRegistry } from './cursors';
import { DuplicateKeyError, defaultIndexName, isTextSpec, publicSpec } from './indexes';
import type { IndexSpec } from './indexes';
import { encodeValue, valuesAtPath } from './keys';
import { ErrorCodes, MongoCommandError, badValue, fromMingoError } from './errors';
import { MAX_BSON_SIZE, MAX_MESSAGE_SIZE } from './wire';
import { TEXT_SCORE_FIELD, adaptPipeline, withTextScore } from './pipeline';

export interface ConnectionContext {
  id: number;
}

type Handler = (db: string, cmd: Document, ctx: ConnectionContext) => Document | Promise<Document>;

const VERSION = '6.0.99-embedded';
const startedAt = Date.now();
const deserializeOptions = { promoteLongs: true, promoteValues: true } as const;

/** Stored documents are immutable; writers work on a deep copy (BSON round trip keeps every BSON type). */
const clone = (doc: Document): Document => BSON.deserialize(BSON.serialize(doc), deserializeOptions);

function asNumber(v: unknown, fallback?: number): number | undefined {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number') return v;
  if (v instanceof Long) return v.toNumber();
  if (typeof v === 'object' && typeof (v as { valueOf(): unknown }).valueOf() === 'number') return (v as { valueOf(): number }).valueOf();
  return Number(v);
}

function requireString(cmd: Document, name: string): string {
  const v = cmd[name];
  if (typeof v !== 'string' || !v) {
    throw new MongoCommandError(ErrorCodes.InvalidNamespace, `collection name has invalid type ${typeof v}`);
  }
  return v;
}

function writeError(index: number, err: unknown): Document {
  const e = err instanceof MongoCommandError ? err : fromMingoError(err);
  return { index, code: e.code, errmsg: e.message, ...e.extra };
}

/** Puts _id first, as mongod stores it. */
function withIdFirst(doc: Document, id: unknown): Document {
  const { _id: _ignored, ...rest } = doc;
  return { _id: id, ...rest };
}

/** Seed document for an upsert: the equality predicates of the filter (MongoDB's "query → insert" rule). */
function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  const visit = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) v.forEach((x) => visit(x as Document));
      if (k.startsWith('$')) continue;
      let value: unknown = v;
      if (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v as { _bsontype?: string })._bsontype && !(v instanceof RegExp)) {
        const ops = Object.keys(v);
        if (ops.length && ops.every((o) => o.startsWith('$'))) {
          if (!('$eq' in v)) continue;
          value = (v as Document).$eq;
        }
      }
      if (v instanceof RegExp) continue;
      setPath(seed, k, value);
    }
  };
  visit(filter);
  return seed;
}

function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Document = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!cur[parts[i]] || typeof cur[parts[i]] !== 'object') cur[parts[i]] = {};
    cur = cur[parts[i]] as Document;
  }
  cur[parts[parts.length - 1]] = value;
}

type UpdateKind = 'operators' | 'replacement' | 'pipeline';

function updateKind(u: unknown): UpdateKind {
  if (Array.isArray(u)) return 'pipeline';
  if (!u || typeof u !== 'object') throw new MongoCommandError(ErrorCodes.FailedToParse, 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length === 0) return 'replacement';
  if (ops.length !== keys.length) {
    throw new MongoCommandError(ErrorCodes.FailedToParse, `Unknown modifier: ${keys.find((k) => !k.startsWith('$'))}. Expected a valid update modifier or pipeline-style update specified as an array`);
  }
  return 'operators';
}

/**
 * Produces the next version of `doc` (a fresh object; the stored one is untouched). Returns null
 * when the update changes nothing, so nModified matches MongoDB's no-op detection.
 */
function applyUpdate(doc: Document, u: unknown, kind: UpdateKind, filter: Document, arrayFilters: Document[] | undefined, inserting: boolean): Document | null {
  const next = clone(doc);
  if (kind === 'replacement') {
    const replaced = withIdFirst(clone(u as Document), doc._id);
    if ('_id' in (u as Document) && encodeValue((u as Document)._id) !== encodeValue(doc._id) && !inserting) throw immutableId();
    if (inserting) return replaced;
    return Buffer.compare(BSON.serialize(replaced), BSON.serialize(doc)) === 0 ? null : replaced;
  }
  if (kind === 'pipeline') {
    let out: Document;
    try {
      out = new Aggregator(u as Document[], {}).run([next])[0] ?? {};
    } catch (err) {
      throw fromMingoError(err);
    }
    if (encodeValue(out._id) !== encodeValue(doc._id)) throw immutableId();
    return Buffer.compare(BSON.serialize(out), BSON.serialize(doc)) === 0 && !inserting ? null : out;
  }
  const { $setOnInsert, ...ops } = u as Document;
  const modifier: Document = { ...ops };
  if (inserting && $setOnInsert) modifier.$set = { ...(modifier.$set as Document | undefined), ...($setOnInsert as Document) };
  const { $text: _text, ...condition } = filter;
  let changed: string[];
  try {
    changed = Object.keys(modifier).length ? mingoUpdate(next, modifier, arrayFilters, inserting ? undefined : condition) : [];
  } catch (err) {
    throw fromMingoError(err);
  }
  if (encodeValue(next._id) !== encodeValue(doc._id) && !inserting) throw immutableId();
  return changed.length || inserting ? next : null;
}

const immutableId = (): MongoCommandError =>
  new MongoCommandError(ErrorCodes.ImmutableField, "Performing an update on the path '_id' would modify the immutable field '_id'");

/** Projection via mingo, plus `{ $meta: "textScore" }` fields which mingo does not know. */
function projector(projection: Document | undefined, scores?: Map<Document, number>): (docs: Document[]) => Document[] {
  if (!projection || Object.keys(projection).length === 0) return (d) => d;
  const meta: string[] = [];
  const plain: Document = {};
  for (const [k, v] of Object.entries(projection)) {
    if (v && typeof v === 'object' && (v as Document).$meta === 'textScore') meta.push(k);
    else plain[k] = v;
  }
  let query: Query | null = null;
  if (Object.keys(plain).length) {
    try {
      query = new Query({}, {});
      query.find([], plain).all(); // validate eagerly so errors surface on the first batch
    } catch (err) {
      throw fromMingoError(err);
    }
  }
  return (docs) => {
    let out: Document[];
    try {
      out = query ? (query.find(docs, plain).all() as Document[]) : docs.map((d) => ({ ...d }));
    } catch (err) {
      throw fromMingoError(err);
    }
    if (meta.length) {
      out = out.map((d, i) => {
        const copy = query ? d : { ...d };
        for (const m of meta) copy[m] = scores?.get(docs[i]) ?? 0;
        return copy;
      });
    }
    return out;
  };
}

function explainReply(coll: Collection | undefined, ns: string, sel: Selection | null, nReturned: number, millis: number): Document {
  const plan = sel?.plan ?? { stage: 'EOF' };
  const winningPlan =
    plan.stage === 'IXSCAN'
      ? { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: plan.indexName, keyPattern: coll?.indexes.get(plan.indexName!)?.spec.key } }
      : plan.stage === 'IDHACK'
        ? { stage: 'IDHACK' }
        : plan.stage === 'TEXT'
          ? { stage: 'TEXT_MATCH', inputStage: { stage: 'TEXT_OR', indexName: plan.indexName } }
          : { stage: plan.stage };
  return {
    queryPlanner: { namespace: ns, winningPlan, rejectedPlans: [] },
    executionStats: {
      executionSuccess: true,
      nReturned,
      executionTimeMillis: millis,
      totalKeysExamined: sel?.keysExamined ?? 0,
      totalDocsExamined: sel?.docsExamined ?? 0,
    },
    serverInfo: { host: 'mongo-embedded', version: VERSION },
    ok: 1,
  };
}

export class CommandDispatcher {
  private readonly handlers: Record<string, Handler>;
  connections = 0;

  constructor(
    private readonly engine: Engine,
    private readonly cursors: CursorRegistry,
  ) {
    const hello = (key: 'isWritablePrimary' | 'ismaster'): Handler => (_db, _cmd, ctx) => ({
      helloOk: true,
      [key]: true,
      maxBsonObjectSize: MAX_BSON_SIZE,
      maxMessageSizeBytes: MAX_MESSAGE_SIZE,
      maxWriteBatchSize: 100_000,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: ctx.id,
      minWireVersion: 0,
      maxWireVersion: 17,
      readOnly: false,
      ok: 1,
    });
    const ok: Handler = () => ({ ok: 1 });
    this.handlers = {
      hello: hello('isWritablePrimary'),
      isMaster: hello('ismaster'),
      ismaster: hello('ismaster'),
      ping: ok,
      endSessions: ok,
      killAllSessions: ok,
      refreshSessions: ok,
      startSession: () => ({ id: { id: new UUID() }, timeoutMinutes: 30, ok: 1 }),
      // Transactions are not goals; accepting the calls lets session-based code run unmodified.
      commitTransaction: ok,
      abortTransaction: ok,
      buildInfo: () => this.buildInfo(),
      buildinfo: () => this.buildInfo(),
      getParameter: (_db, cmd) => this.getParameter(cmd),
      serverStatus: () => this.serverStatus(),
      whatsmyuri: () => ({ you: '127.0.0.1:0', ok: 1 }),
      connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
      hostInfo: () => ({ system: { hostname: 'mongo-embedded', numCores: 1 }, os: { type: process.platform }, ok: 1 }),
      getCmdLineOpts: () => ({ argv: process.argv, parsed: {}, ok: 1 }),
      getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
      listDatabases: (_db, cmd) => this.listDatabases(cmd),
      listCollections: (db, cmd) => this.listCollections(db, cmd),
      create: (db, cmd) => this.create(db, cmd),
      drop: (db, cmd) => this.drop(db, cmd),
      dropDatabase: async (db) => {
        this.engine.dropDatabase(db);
        await this.engine.commit();
        return { dropped: db, ok: 1 };
      },
      collMod: (db, cmd) => this.collMod(db, cmd),
      renameCollection: (_db, cmd) => this.renameCollection(cmd),
      insert: (db, cmd) => this.insert(db, cmd),
      update: (db, cmd) => this.update(db, cmd),
      delete: (db, cmd) => this.delete(db, cmd),
      findAndModify: (db, cmd) => this.findAndModify(db, cmd, 'findAndModify'),
      findandmodify: (db, cmd) => this.findAndModify(db, cmd, 'findandmodify'),
      find: (db, cmd) => this.find(db, cmd),
      getMore: (db, cmd) => this.getMore(db, cmd),
      killCursors: (_db, cmd) => {
        const ids = ((cmd.cursors as unknown[]) ?? []).map((x) => asNumber(x) as number);
        const { killed, notFound } = this.cursors.kill(ids);
        return { cursorsKilled: killed.map((x) => Long.fromNumber(x)), cursorsNotFound: notFound.map((x) => Long.fromNumber(x)), cursorsAlive: [], cursorsUnknown: [], ok: 1 };
      },
      count: (db, cmd) => this.count(db, cmd),
      distinct: (db, cmd) => this.distinct(db, cmd),
      aggregate: (db, cmd) => this.aggregate(db, cmd),
      createIndexes: (db, cmd) => this.createIndexes(db, cmd),
      listIndexes: (db, cmd) => this.listIndexes(db, cmd),
      dropIndexes: (db, cmd) => this.dropIndexes(db, cmd),
      deleteIndexes: (db, cmd) => this.dropIndexes(db, cmd),
      explain: (db, cmd) => this.explain(db, cmd),
      dbStats: (db) => this.dbStats(db),
      collStats: (db, cmd) => this.collStats(db, cmd),
      compact: async () => {
        await this.engine.compact();
        return { ok: 1 };
      },
    };
  }

  async run(db: string, cmd: Document, ctx: ConnectionContext): Promise<Document> {
    const name = Object.keys(cmd)[0];
    const handler = name !== undefined && Object.prototype.hasOwnProperty.call(this.handlers, name) ? this.handlers[name] : undefined;
    if (!handler) {
      return { ok: 0, errmsg: `no such command: '${name ?? ''}'`, code: ErrorCodes.CommandNotFound, codeName: 'CommandNotFound' };
    }
    try {
      return await handler(db, cmd, ctx);
    } catch (err) {
      if (err instanceof MongoCommandError) return err.toReply();
      const mapped = fromMingoError(err);
      if (!(err instanceof Error) || !/operator|expression|argument|must|invalid|unknown|not registered/i.test(err.message)) {
        return { ok: 0, errmsg: err instanceof Error ? err.message : String(err), code: ErrorCodes.InternalError, codeName: 'InternalError' };
      }
      return mapped.toReply();
    }
  }

  // ---------------------------------------------------------------- server info

  private buildInfo(): Document {
    return { version: VERSION, gitVersion: 'embedded', versionArray: [6, 0, 99, 0], bits: 64, debug: false, maxBsonObjectSize: MAX_BSON_SIZE, storageEngines: ['mongo-embedded'], javascriptEngine: 'none', ok: 1 };
  }

  private getParameter(cmd: Document): Document {
    const known: Document = { featureCompatibilityVersion: { version: '6.0' }, authenticationMechanisms: [], logLevel: 0 };
    const out: Document = {};
    if (cmd.getParameter === '*') Object.assign(out, known);
    for (const k of Object.keys(cmd)) if (k in known) out[k] = known[k];
    return { ...out, ok: 1 };
  }

  private serverStatus(): Document {
    return {
      host: 'mongo-embedded',
      version: VERSION,
      process: 'mongo-embedded',
      pid: process.pid,
      uptime: Math.floor((Date.now() - startedAt) / 1000),
      localTime: new Date(),
      connections: { current: this.connections, available: 10_000 },
      metrics: {
        queryExecutor: { scanned: metrics.keysExamined, scannedObjects: metrics.docsExamined, collectionScans: { total: metrics.collectionScans } },
        cursor: { open: { total: this.cursors.open } },
      },
      mongoEmbedded: { ...metrics, ...this.engine.stats, journalBytes: this.engine.journalBytes() },
      ok: 1,
    };
  }

  // ---------------------------------------------------------------- catalog commands

  private listDatabases(cmd: Document): Document {
    let dbs = [...this.engine.dbs.entries()].map(([name, colls]) => {
      let size = 0;
      for (const c of colls.values()) size += c.docs.size * 64;
      return { name, sizeOnDisk: size, empty: colls.size === 0 };
    });
    if (cmd.filter) {
      const q = compileFilter(cmd.filter as Document);
      if (q) dbs = dbs.filter((d) => q.test(d));
    }
    if (cmd.nameOnly) return { databases: dbs.map((d) => ({ name: d.name })), ok: 1 };
    return { databases: dbs, totalSize: dbs.reduce((n, d) => n + d.sizeOnDisk, 0), totalSizeMb: 0, ok: 1 };
  }

  private collectionInfo(coll: Collection): Document {
    const ts = coll.options.timeseries as Document | undefined;
    const options: Document = { ...coll.options };
    if (ts) options.timeseries = { granularity: 'seconds', bucketMaxSpanSeconds: 3600, ...ts };
    return {
      name: coll.name,
      type: ts ? 'timeseries' : 'collection',
      options,
      info: { readOnly: false, uuid: new UUID(coll.uuid) },
      ...(ts ? {} : { idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } }),
    };
  }

  private listCollections(db: string, cmd: Document): Document {
    const colls = [...(this.engine.dbs.get(db)?.values() ?? [])];
    let infos = colls.map((c) => this.collectionInfo(c));
    if (cmd.filter && Object.keys(cmd.filter as Document).length) {
      const q = compileFilter(cmd.filter as Document);
      if (q) infos = infos.filter((i) => q.test(i));
    }
    if (cmd.nameOnly) infos = infos.map((i) => ({ name: i.name, type: i.type }));
    const batchSize = asNumber((cmd.cursor as Document | undefined)?.batchSize);
    return this.cursors.first(`${db}.$cmd.listCollections`, infos, batchSize ?? infos.length + 1);
  }

  private static readonly IGNORED = new Set([
    'lsid', 'txnNumber', '$clusterTime', '$db', 'readConcern', 'writeConcern', 'comment', 'apiVersion', 'apiStrict',
    'apiDeprecationErrors', '$readPreference', 'maxTimeMS', 'autocommit', 'startTransaction', 'bypassDocumentValidation',
  ]);

  private async create(db: string, cmd: Document): Promise<Document> {
    const name = requireString(cmd, 'create');
    const options: Document = {};
    for (const [k, v] of Object.entries(cmd)) if (k !== 'create' && !CommandDispatcher.IGNORED.has(k)) options[k] = v;
    if (options.timeseries) {
      const ts = options.timeseries as Document;
      if (typeof ts.timeField !== 'string') throw new MongoCommandError(ErrorCodes.FailedToParse, "BSON field 'timeseries.timeField' is missing but a required field");
    }
    this.engine.createCollection(db, name, options);
    await this.engine.commit();
    return { ok: 1 };
  }

  private async drop(db: string, cmd: Document): Promise<Document> {
    const name = requireString(cmd, 'drop');
    const coll = this.engine.getCollection(db, name);
    if (!coll) throw new MongoCommandError(ErrorCodes.NamespaceNotFound, 'ns not found');
    this.engine.dropCollection(db, name);
    await this.engine.commit();
    return { nIndexesWas: coll.indexes.size, ns: coll.ns, ok: 1 };
  }

  private async collMod(db: string, cmd: Document): Promise<Document> {
    const coll = this.engine.getCollection(db, requireString(cmd, 'collMod'));
    if (!coll) throw new MongoCommandError(ErrorCodes.NamespaceNotFound, 'ns does not exist');
    const idx = cmd.index as Document | undefined;
    if (idx && typeof idx.expireAfterSeconds === 'number') {
      const target = idx.name ? coll.indexes.get(idx.name as string) : coll.findIndexByKey(idx.keyPattern as Document);
      if (!target) throw new MongoCommandError(ErrorCodes.IndexNotFound, 'cannot find index');
      const old = target.spec.expireAfterSeconds;
      // Re-journal the index with its new TTL: drop + create keeps replay idempotent.
      const spec = { ...target.spec, expireAfterSeconds: idx.expireAfterSeconds as number };
      this.engine.dropIndex(coll, spec.name);
      this.engine.createIndex(coll, spec);
      await this.engine.commit();
      return { expireAfterSeconds_old: old, expireAfterSeconds_new: spec.expireAfterSeconds, ok: 1 };
    }
    return { ok: 1 };
  }

  private async renameCollection(cmd: Document): Promise<Document> {
    const [fromDb, ...fromRest] = String(cmd.renameCollection).split('.');
    const [toDb, ...toRest] = String(cmd.to).split('.');
    const src = this.engine.getCollection(fromDb, fromRest.join('.'));
    if (!src) throw new MongoCommandError(ErrorCodes.NamespaceNotFound, 'source namespace does not exist');
    const toName = toRest.join('.');
    if (this.engine.getCollection(toDb, toName)) {
      if (!cmd.dropTarget) throw new MongoCommandError(ErrorCodes.NamespaceExists, 'target namespace exists');
      this.engine.dropCollection(toDb, toName);
    }
    const dst = this.engine.createCollection(toDb, toName, src.options);
    for (const spec of src.indexSpecs) if (spec.name !== '_id_') this.engine.createIndex(dst, spec);
    const docs = [...src.docs.values()];
    for (const d of docs) dst.insert(d);
    this.engine.logPut(dst, docs);
    this.engine.dropCollection(fromDb, src.name);
    await this.engine.commit();
    return { ok: 1 };
  }

  // ---------------------------------------------------------------- writes

  private async insert(db: string, cmd: Document): Promise<Document> {
    const name = requireString(cmd, 'insert');
    const docs = (cmd.documents as Document[]) ?? [];
    const ordered = cmd.ordered !== false;
    const { coll } = this.engine.ensureCollection(db, name);
    const inserted: Document[] = [];
    const writeErrors: Document[] = [];
    for (let i = 0; i < docs.length; i++) {
      let doc = docs[i];
      try {
        if (!doc || typeof doc !== 'object') throw badValue('document must be an object');
        if (doc._id === undefined) doc = withIdFirst(doc, new ObjectId());
        else if (Array.isArray(doc._id) || doc._id instanceof RegExp) throw badValue(`can't use an array for _id`);
        else if (Object.keys(doc)[0] !== '_id') doc = withIdFirst(doc, doc._id); // drivers append _id; mongod stores it first
        coll.insert(doc);
        inserted.push(doc);
      } catch (err) {
        writeErrors.push(writeError(i, err));
        if (ordered) break;
      }
    }
    this.engine.logPut(coll, inserted);
    await this.engine.commit();
    return { n: inserted.length, ...(writeErrors.length ? { writeErrors } : {}), ok: 1 };
  }

  /** One update statement; shared by `update` and `findAndModify`. */
  private updateOne(
    coll: Collection,
    stmt: { q: Document; u: unknown; upsert?: boolean; multi?: boolean; arrayFilters?: Document[]; sort?: Document },
    onDoc?: (before: Document, after: Document) => void,
  ): { n: number; nModified: number; upserted?: unknown; written: Document[] } {
    const kind = updateKind(stmt.u);
    if (kind === 'replacement' && stmt.multi) throw new MongoCommandError(ErrorCodes.FailedToParse, 'multi update is not supported for replacement-style update');
    const sel = coll.select(stmt.q ?? {}, stmt.multi ? {} : { limit: 1, sort: stmt.sort });
    const written: Document[] = [];
    let nModified = 0;
    try {
      for (const doc of sel.docs) {
        const next = applyUpdate(doc, stmt.u, kind, stmt.q ?? {}, stmt.arrayFilters, false);
        if (next) {
          coll.replace(encodeValue(doc._id), next);
          written.push(next);
          nModified++;
        }
        onDoc?.(doc, next ?? doc);
      }
    } finally {
      // Documents already changed before a failure in a multi-update stay changed (as in MongoDB), so log them.
      this.engine.logPut(coll, written);
    }
    if (sel.docs.length || !stmt.upsert) return { n: sel.docs.length, nModified, written };
    // Upsert: the new document starts from the filter's equality fields (for a replacement, only _id),
    // then the update is applied with $setOnInsert in effect.
    const q = stmt.q ?? {};
    let doc: Document;
    if (kind === 'replacement') {
      const u = clone(stmt.u as Document);
      doc = withIdFirst(u, u._id ?? upsertSeed(q)._id);
    } else {
      doc = applyUpdate(upsertSeed(q), stmt.u, kind, q, stmt.arrayFilters, true)!;
    }
    doc = withIdFirst(doc, doc._id ?? new ObjectId());
    coll.insert(doc);
    this.engine.logPut(coll, [doc]);
    onDoc?.(doc, doc);
    return { n: 1, nModified: 0, upserted: doc._id, written: [doc] };
  }

  private async update(db: string, cmd: Document): Promise<Document> {
    const name = requireString(cmd, 'update');
    const stmts = (cmd.updates as Document[]) ?? [];
    const ordered = cmd.ordered !== false;
    // Like mongod, only an upsert creates a missing collection.
    if (!this.engine.getCollection(db, name) && !stmts.some((s) => s.upsert)) {
      for (const s of stmts) updateKind(s.u); // still reject malformed updates
      return { n: 0, nModified: 0, ok: 1 };
    }
    const { coll } = this.engine.ensureCollection(db, name);
    let n = 0;
    let nModified = 0;
    const upserted: Document[] = [];
    const writeErrors: Document[] = [];
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      try {
        const r = this.updateOne(coll, { q: s.q as Document, u: s.u, upsert: !!s.upsert, multi: !!s.multi, arrayFilters: s.arrayFilters as Document[] | undefined, sort: s.sort as Document | undefined });
        n += r.n;
        nModified += r.nModified;
        if (r.upserted !== undefined) upserted.push({ index: i, _id: r.upserted });
      } catch (err) {
        writeErrors.push(writeError(i, err));
        if (ordered) break;
      }
    }
    await this.engine.commit();
    return { n, nModified, ...(upserted.length ? { upserted } : {}), ...(writeErrors.length ? { writeErrors } : {}), ok: 1 };
  }

  private async delete(db: string, cmd: Document): Promise<Document> {
    const name = requireString(cmd, 'delete');
    const stmts = (cmd.deletes as Document[]) ?? [];
    const ordered = cmd.ordered !== false;
    const coll = this.engine.getCollection(db, name);
    let n = 0;
    const writeErrors: Document[] = [];
    for (let i = 0; i < stmts.length && coll; i++) {
      const s = stmts[i];
      try {
        const limit = asNumber(s.limit, 0);
        const sel = coll.select((s.q as Document) ?? {}, limit === 1 ? { limit: 1 } : {});
        const ids = sel.docs.map((d) => d._id);
        for (const d of sel.docs) coll.remove(encodeValue(d._id));
        this.engine.logDelete(coll, ids);
        n += ids.length;
      } catch (err) {
        writeErrors.push(writeError(i, err));
        if (ordered) break;
      }
    }
    await this.engine.commit();
    return { n, ...(writeErrors.length ? { writeErrors } : {}), ok: 1 };
  }

  private async findAndModify(db: string, cmd: Document, key: string): Promise<Document> {
    const name = requireString(cmd, key);
    const query = (cmd.query as Document) ?? {};
    const sort = cmd.sort as Document | undefined;
    const project = projector(cmd.fields as Document | undefined);
    if (cmd.remove) {
      const coll = this.engine.getCollection(db, name);
      const doc = coll?.select(query, { limit: 1, sort }).docs[0];
      if (coll && doc) {
        coll.remove(encodeValue(doc._id));
        this.engine.logDelete(coll, [doc._id]);
        await this.engine.commit();
      }
      return { lastErrorObject: { n: doc ? 1 : 0 }, value: doc ? project([doc])[0] : null, ok: 1 };
    }
    if (cmd.update === undefined) throw new MongoCommandError(ErrorCodes.FailedToParse, 'Either an update or remove=true must be specified');
    if (!cmd.upsert && !this.engine.getCollection(db, name)) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    const { coll } = this.engine.ensureCollection(db, name);
    let before: Document | null = null;
    let after: Document | null = null;
    const r = this.updateOne(coll, { q: query, u: cmd.update, upsert: !!cmd.upsert, arrayFilters: cmd.arrayFilters as Document[] | undefined, sort }, (b, a) => {
      before = b;
      after = a;
    });
    await this.engine.commit();
    const upserted = r.upserted !== undefined;
    const value = cmd.new ? after : upserted ? null : before;
    return {
      lastErrorObject: { n: r.n, updatedExisting: r.n > 0 && !upserted, ...(upserted ? { upserted: r.upserted } : {}) },
      value: value ? project([value])[0] : null,
      ok: 1,
    };
  }

  // ---------------------------------------------------------------- reads

  private findSelection(db: string, cmd: Document): { coll?: Collection; sel: Selection | null; limit?: number; singleBatch: boolean } {
    const name = requireString(cmd, 'find');
    const coll = this.engine.getCollection(db, name);
    let limit = asNumber(cmd.limit);
    let singleBatch = cmd.singleBatch === true;
    if (limit !== undefined && limit < 0) {
      limit = -limit;
      singleBatch = true;
    }
    const filter = (cmd.filter as Document) ?? {};
    if (!coll) {
      compileFilter(filter); // still report bad operators on a missing collection
      return { sel: null, singleBatch };
    }
    const projection = cmd.projection as Document | undefined;
    const wantsScoreOrder = !!projection && Object.values(projection).some((v) => v && typeof v === 'object' && (v as Document).$meta === 'textScore') && !cmd.sort;
    const sel = coll.select(filter, { sort: cmd.sort as Document | undefined, skip: asNumber(cmd.skip), limit: limit || undefined }, wantsScoreOrder);
    return { coll, sel, limit, singleBatch };
  }

  private find(db: string, cmd: Document): Document {
    const { sel, singleBatch } = this.findSelection(db, cmd);
    const ns = `${db}.${cmd.find as string}`;
    const project = projector(cmd.projection as Document | undefined, sel?.scores);
    return this.cursors.first(ns, sel?.docs ?? [], asNumber(cmd.batchSize), project, singleBatch);
  }

  private getMore(db: string, cmd: Document): Document {
    const id = asNumber(cmd.getMore) as number;
    const reply = this.cursors.more(id, `${db}.${cmd.collection as string}`, asNumber(cmd.batchSize));
    if (!reply) throw new MongoCommandError(ErrorCodes.CursorNotFound, `cursor id ${id} not found`);
    return reply;
  }

  private count(db: string, cmd: Document): Document {
    const coll = this.engine.getCollection(db, requireString(cmd, 'count'));
    if (!coll) return { n: 0, ok: 1 };
    const query = (cmd.query as Document) ?? {};
    const skip = asNumber(cmd.skip, 0)!;
    const limit = Math.abs(asNumber(cmd.limit, 0)!);
    let n = Object.keys(query).length === 0 ? coll.docs.size : coll.select(query).docs.length;
    n = Math.max(0, n - skip);
    if (limit) n = Math.min(n, limit);
    return { n, ok: 1 };
  }

  private distinct(db: string, cmd: Document): Document {
    const coll = this.engine.getCollection(db, requireString(cmd, 'distinct'));
    const key = cmd.key as string;
    if (typeof key !== 'string') throw badValue("BSON field 'distinct.key' is missing but a required field");
    if (!coll) return { values: [], ok: 1 };
    const seen = new Map<string, unknown>();
    const path = key.split('.');
    for (const doc of coll.select((cmd.query as Document) ?? {}).docs) {
      for (const v of valuesAtPath(doc, path)) {
        if (v === undefined) continue;
        const k = encodeValue(v);
        if (!seen.has(k)) seen.set(k, v);
      }
    }
    const values = [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    return { values, ok: 1 };
  }

  private runPipeline(db: string, collName: string | null, pipeline: Document[], variables?: Document): { docs: Document[]; sel: Selection | null; coll?: Collection } {
    for (const stage of pipeline) {
      const op = Object.keys(stage ?? {})[0];
      if (op === '$out' || op === '$merge') throw badValue(`${op} is not supported by mongo-embedded`);
    }
    const coll = collName ? this.engine.getCollection(db, collName) : undefined;
    let input: Document[] = [];
    let rest = pipeline;
    let sel: Selection | null = null;
    if (coll) {
      // A leading $match goes through the index planner instead of scanning inside mingo.
      const first = pipeline[0];
      if (first && first.$match) {
        sel = coll.select(first.$match as Document);
        input = sel.docs;
        rest = pipeline.slice(1);
        const scores = sel.scores;
        if (scores) {
          // $text: carry each document's score in a hidden field so { $meta: "textScore" } can read it.
          input = input.map((d) => ({ ...d, [TEXT_SCORE_FIELD]: scores.get(d) ?? 0 }));
          rest = withTextScore(rest);
        }
      } else {
        input = [...coll.docs.values()];
      }
    }
    if (rest.length === 0) return { docs: input, sel, coll };
    const resolver = (name: string): Document[] => {
      const other = this.engine.getCollection(db, name);
      // Deep copies: later stages may modify joined documents in place.
      return other ? [...other.docs.values()].map(clone) : [];
    };
    try {
      // CLONE_INPUT: mingo's $addFields/$set modify their input, and stored documents must stay immutable.
      const agg = new Aggregator(adaptPipeline(rest), { processingMode: 1, collectionResolver: resolver, variables });
      return { docs: agg.run(input), sel, coll };
    } catch (err) {
      throw fromMingoError(err);
    }
  }

  private aggregate(db: string, cmd: Document): Document {
    const target = cmd.aggregate;
    const collName = typeof target === 'string' ? target : null;
    if (!collName && target !== 1) throw new MongoCommandError(ErrorCodes.InvalidNamespace, 'Invalid aggregate namespace');
    if (!Array.isArray(cmd.pipeline)) throw new MongoCommandError(ErrorCodes.TypeMismatch, "'pipeline' option must be specified as an array");
    if (!cmd.cursor && !cmd.explain) throw new MongoCommandError(ErrorCodes.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
    const started = Date.now();
    const { docs, sel, coll } = this.runPipeline(db, collName, cmd.pipeline as Document[], cmd.let as Document | undefined);
    const ns = `${db}.${collName ?? '$cmd.aggregate'}`;
    if (cmd.explain) return explainReply(coll, ns, sel, docs.length, Date.now() - started);
    return this.cursors.first(ns, docs, asNumber((cmd.cursor as Document).batchSize));
  }

  private explain(db: string, cmd: Document): Document {
    const inner = cmd.explain as Document;
    const started = Date.now();
    if (inner.find !== undefined) {
      const { coll, sel } = this.findSelection(db, inner);
      return explainReply(coll, `${db}.${inner.find as string}`, sel, sel?.docs.length ?? 0, Date.now() - started);
    }
    if (inner.aggregate !== undefined) return this.aggregate(db, { ...inner, explain: true });
    if (inner.count !== undefined) {
      const coll = this.engine.getCollection(db, inner.count as string);
      const sel = coll ? coll.select((inner.query as Document) ?? {}) : null;
      return explainReply(coll, `${db}.${inner.count as string}`, sel, sel?.docs.length ?? 0, Date.now() - started);
    }
    throw badValue(`Explain is not supported for ${Object.keys(inner)[0]}`);
  }

  // ---------------------------------------------------------------- indexes

  private async createIndexes(db: string, cmd: Document): Promise<Document> {
    const name = requireString(cmd, 'createIndexes');
    const specs = cmd.indexes as Document[];
    if (!Array.isArray(specs) || specs.length === 0) throw badValue('Must specify at least one index to create');
    const { coll, created } = this.engine.ensureCollection(db, name);
    const before = coll.indexes.size;
    for (const raw of specs) {
      const key = raw.key as Record<string, unknown>;
      if (!key || typeof key !== 'object' || Object.keys(key).length === 0) throw new MongoCommandError(ErrorCodes.CannotCreateIndex, 'Index keys cannot be empty.');
      const spec: IndexSpec = { v: 2, key, name: (raw.name as string) ?? defaultIndexName(key) };
      for (const [k, v] of Object.entries(raw)) if (!['key', 'name', 'v', 'background', 'ns'].includes(k)) spec[k] = v;
      if (isTextSpec(key) && !raw.name) spec.name = defaultIndexName(key);
      try {
        this.engine.createIndex(coll, spec);
      } catch (err) {
        await this.engine.commit();
        throw err instanceof DuplicateKeyError ? new MongoCommandError(ErrorCodes.DuplicateKey, `Index build failed: ${err.message}`, err.extra) : err;
      }
    }
    await this.engine.commit();
    const after = coll.indexes.size;
    return {
      numIndexesBefore: before,
      numIndexesAfter: after,
      createdCollectionAutomatically: created,
      ...(after === before ? { note: 'all indexes already exist' } : {}),
      ok: 1,
    };
  }

  private listIndexes(db: string, cmd: Document): Document {
    const name = requireString(cmd, 'listIndexes');
    const coll = this.engine.getCollection(db, name);
    if (!coll) throw new MongoCommandError(ErrorCodes.NamespaceNotFound, `ns does not exist: ${db}.${name}`);
    const specs = coll.indexSpecs.map(publicSpec);
    return this.cursors.first(`${db}.$cmd.listIndexes.${name}`, specs, asNumber((cmd.cursor as Document | undefined)?.batchSize) ?? specs.length + 1);
  }

  private async dropIndexes(db: string, cmd: Document): Promise<Document> {
    const name = requireString(cmd, Object.keys(cmd)[0]);
    const coll = this.engine.getCollection(db, name);
    if (!coll) throw new MongoCommandError(ErrorCodes.NamespaceNotFound, `ns not found ${db}.${name}`);
    const was = coll.indexes.size;
    const target = cmd.index;
    let names: string[];
    if (target === '*') names = [...coll.indexes.keys()].filter((n) => n !== '_id_');
    else if (typeof target === 'string') names = [target];
    else if (Array.isArray(target)) names = target as string[];
    else if (target && typeof target === 'object') {
      const idx = coll.findIndexByKey(target as Record<string, unknown>);
      if (!idx) throw new MongoCommandError(ErrorCodes.IndexNotFound, `can't find index with key: ${JSON.stringify(target)}`);
      names = [idx.spec.name];
    } else throw badValue('invalid index name spec');
    for (const n of names) this.engine.dropIndex(coll, n);
    await this.engine.commit();
    return { nIndexesWas: was, ok: 1 };
  }

  // ---------------------------------------------------------------- stats

  private dbStats(db: string): Document {
    const colls = [...(this.engine.dbs.get(db)?.values() ?? [])];
    const objects = colls.reduce((n, c) => n + c.docs.size, 0);
    return { db, collections: colls.length, views: 0, objects, indexes: colls.reduce((n, c) => n + c.indexes.size, 0), dataSize: 0, storageSize: 0, ok: 1 };
  }

  private collStats(db: string, cmd: Document): Document {
    const coll = this.engine.getCollection(db, requireString(cmd, 'collStats'));
    if (!coll) throw new MongoCommandError(ErrorCodes.NamespaceNotFound, `Collection [${db}.${cmd.collStats as string}] not found.`);
    return { ns: coll.ns, count: coll.docs.size, size: 0, storageSize: 0, nindexes: coll.indexes.size, indexSizes: {}, ok: 1 };
  }
}
