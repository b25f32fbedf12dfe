// Compatibility suite through the official `mongodb` driver. Runs against the embedded server, or
// against a real MongoDB when MONGODB_URL is set, so every expectation here is MongoDB's behaviour.
import { MongoClient, MongoServerError, ObjectId } from 'mongodb';
import type { CollectionInfo, CommandStartedEvent, Db } from 'mongodb';
import { startTarget, uniqueDbName, waitFor } from './target';
import type { Target } from './target';

let target: Target;
let client: MongoClient;
let db: Db;
const started: CommandStartedEvent[] = [];

beforeAll(async () => {
  target = await startTarget();
  client = new MongoClient(target.url, { monitorCommands: true });
  client.on('commandStarted', (e) => started.push(e));
  await client.connect();
  db = client.db(uniqueDbName('compat_driver'));
});

afterAll(async () => {
  await db?.dropDatabase().catch(() => undefined);
  await client?.close();
  await target?.stop();
});

describe('mongodb driver against ' + (process.env.MONGODB_URL ? 'MONGODB_URL' : 'mongo-embedded'), () => {
  it('answers ping, hello and buildInfo like a standalone server', async () => {
    expect((await db.admin().ping()).ok).toBe(1);
    const hello = await db.admin().command({ hello: 1 });
    expect(hello.isWritablePrimary).toBe(true);
    expect(hello.setName).toBeUndefined();
    expect(hello.maxWireVersion).toBeGreaterThanOrEqual(17);
    const info = await db.admin().command({ buildInfo: 1 });
    expect(typeof info.version).toBe('string');
  });

  it('does CRUD', async () => {
    const c = db.collection('crud');
    const ins = await c.insertOne({ name: 'ann', age: 31 });
    expect(ins.insertedId).toBeInstanceOf(ObjectId);
    await c.insertMany([{ name: 'bob', age: 25 }, { name: 'cy', age: 40 }]);
    expect(await c.findOne({ name: 'ann' }, { projection: { _id: 0 } })).toEqual({ name: 'ann', age: 31 });
    const stored = await c.findOne({ _id: ins.insertedId });
    expect(Object.keys(stored!)[0]).toBe('_id');

    const up = await c.updateOne({ name: 'bob' }, { $inc: { age: 1 }, $set: { tag: 'x' } });
    expect(up).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const noop = await c.updateOne({ name: 'bob' }, { $set: { tag: 'x' } });
    expect(noop).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    expect(await c.findOne({ name: 'bob' }, { projection: { _id: 0 } })).toEqual({ name: 'bob', age: 26, tag: 'x' });

    const many = await c.updateMany({ age: { $gte: 30 } }, { $set: { senior: true } });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 2 });

    const rep = await c.replaceOne({ name: 'cy' }, { name: 'cy', age: 41 });
    expect(rep.modifiedCount).toBe(1);
    expect(await c.findOne({ name: 'cy' }, { projection: { _id: 0 } })).toEqual({ name: 'cy', age: 41 });

    const upserted = await c.updateOne({ name: 'dee' }, { $set: { age: 50 }, $setOnInsert: { created: true } }, { upsert: true });
    expect(upserted.upsertedCount).toBe(1);
    expect(upserted.upsertedId).toBeInstanceOf(ObjectId);
    expect(await c.findOne({ name: 'dee' }, { projection: { _id: 0 } })).toEqual({ name: 'dee', age: 50, created: true });

    await expect(c.updateOne({ name: 'dee' }, { $set: { _id: new ObjectId() } })).rejects.toMatchObject({ code: 66 });

    const r = db.collection<{ _id: string; v?: number; a?: { b: number }; c?: number }>('upserts');
    await r.replaceOne({ _id: 'r1' }, { v: 1 }, { upsert: true });
    await r.updateOne({ 'a.b': 7, v: { $gt: 100 } }, { $set: { c: 1 } }, { upsert: true });
    expect(await r.findOne({ _id: 'r1' })).toEqual({ _id: 'r1', v: 1 });
    expect(await r.findOne({ c: 1 }, { projection: { _id: 0 } })).toEqual({ a: { b: 7 }, c: 1 });
    // Updates on a missing collection without upsert create nothing.
    await db.collection('never').updateOne({ x: 1 }, { $set: { y: 1 } });
    expect((await db.listCollections({ name: 'never' }).toArray()).length).toBe(0);

    expect((await c.deleteOne({ name: 'ann' })).deletedCount).toBe(1);
    expect((await c.deleteMany({ age: { $gt: 0 } })).deletedCount).toBe(3);
    expect(await c.countDocuments()).toBe(0);
  });

  it('reports duplicate keys as MongoDB does (code 11000, message shape, writeErrors)', async () => {
    const c = db.collection('users');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@x.io' });
    const err = await c.insertOne({ email: 'a@x.io' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect((err as MongoServerError).code).toBe(11000);
    expect((err as MongoServerError).message).toBe(
      `E11000 duplicate key error collection: ${db.databaseName}.users index: email_1 dup key: { email: "a@x.io" }`,
    );
    expect((err as MongoServerError).keyValue).toEqual({ email: 'a@x.io' });

    // Unordered bulk: the good documents go in, the duplicate is reported with its index.
    const bulk = await c.insertMany([{ email: 'b@x.io' }, { email: 'a@x.io' }, { email: 'c@x.io' }], { ordered: false }).catch((e: unknown) => e as { insertedCount: number; writeErrors: Array<{ index: number; code: number }> } & Error);
    expect(bulk).toBeInstanceOf(Error);
    const be = bulk as unknown as { insertedCount: number; writeErrors: Array<{ index: number; code: number }> };
    expect(be.insertedCount).toBe(2);
    expect(be.writeErrors.map((w) => [w.index, w.code])).toEqual([[1, 11000]]);

    // Duplicate through an update is rejected too and leaves the document unchanged.
    await expect(c.updateOne({ email: 'b@x.io' }, { $set: { email: 'c@x.io' } })).rejects.toMatchObject({ code: 11000 });
    expect(await c.countDocuments({ email: 'b@x.io' })).toBe(1);

    // Compound unique: only the full combination must be unique.
    const m = db.collection('members');
    await m.createIndex({ org: 1, user: 1 }, { unique: true });
    await m.insertMany([{ org: 1, user: 'a' }, { org: 2, user: 'a' }]);
    await expect(m.insertOne({ org: 1, user: 'a' })).rejects.toMatchObject({ code: 11000 });
  });

  it('refuses a second document with the same _id and keeps the first', async () => {
    const c = db.collection<{ _id: string; v: number }>('ids');
    await c.insertOne({ _id: 'a', v: 1 });
    const err = await c.insertOne({ _id: 'a', v: 2 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 11000 });
    expect((err as MongoServerError).message).toBe(`E11000 duplicate key error collection: ${db.databaseName}.ids index: _id_ dup key: { _id: "a" }`);
    const bulk = await c.insertMany([{ _id: 'b', v: 1 }, { _id: 'b', v: 2 }], { ordered: true }).catch((e: unknown) => e);
    expect(bulk).toMatchObject({ code: 11000 });
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 'a', v: 1 }, { _id: 'b', v: 1 }]);
    // After a delete the _id is free again.
    await c.deleteOne({ _id: 'a' });
    await c.insertOne({ _id: 'a', v: 3 });
    expect(await c.findOne({ _id: 'a' })).toEqual({ _id: 'a', v: 3 });
  });

  it('finds with sort, skip, limit and projection', async () => {
    const c = db.collection('people');
    await c.insertMany(Array.from({ length: 20 }, (_, i) => ({ i, group: i % 3, name: `p${String(i).padStart(2, '0')}`, nested: { v: 20 - i } })));
    const page = await c.find({ group: { $in: [0, 1] } }, { projection: { _id: 0, name: 1, 'nested.v': 1 } }).sort({ i: -1 }).skip(2).limit(3).toArray();
    expect(page).toEqual([
      { name: 'p16', nested: { v: 4 } },
      { name: 'p15', nested: { v: 5 } },
      { name: 'p13', nested: { v: 7 } },
    ]);
    const excl = await c.find({ i: 0 }, { projection: { nested: 0, _id: 0 } }).toArray();
    expect(excl).toEqual([{ i: 0, group: 0, name: 'p00' }]);
    const multi = await c.find({}, { projection: { _id: 0, group: 1, i: 1 } }).sort({ group: 1, i: -1 }).limit(4).toArray();
    expect(multi).toEqual([{ i: 18, group: 0 }, { i: 15, group: 0 }, { i: 12, group: 0 }, { i: 9, group: 0 }]);
    expect(await c.countDocuments({ name: { $regex: '^p1' } })).toBe(10);
  });

  it('pages through a large result with getMore and batchSize', async () => {
    const c = db.collection('many');
    await c.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    started.length = 0;
    const all = await c.find({}).sort({ i: 1 }).batchSize(40).toArray();
    expect(all.map((d) => d.i)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    const getMores = started.filter((e) => e.commandName === 'getMore');
    expect(getMores.length).toBe(6); // 40 in the first batch, then 6 × up to 40
    // Killing a cursor early works.
    const cursor = c.find({}).batchSize(10);
    await cursor.next();
    await cursor.close();
    expect(started.some((e) => e.commandName === 'killCursors')).toBe(true);
  });

  it('runs the aggregation stages services use', async () => {
    const orders = db.collection('orders');
    const customers = db.collection('customers');
    await customers.insertMany([{ _id: 1, name: 'ann' } as never, { _id: 2, name: 'bob' } as never]);
    await orders.insertMany([
      { cust: 1, items: ['a', 'b'], total: 10, at: new Date('2024-03-01T10:15:00Z') },
      { cust: 1, items: ['b'], total: 5, at: new Date('2024-03-01T18:00:00Z') },
      { cust: 2, items: ['c'], total: 7, at: new Date('2024-03-02T09:00:00Z') },
      { cust: 2, items: [], total: 1, at: new Date('2024-03-03T09:00:00Z') },
    ]);
    const byCustomer = await orders
      .aggregate([
        { $match: { total: { $gte: 5 } } },
        { $group: { _id: '$cust', sum: { $sum: '$total' }, n: { $sum: 1 } } },
        { $lookup: { from: 'customers', localField: '_id', foreignField: '_id', as: 'customer' } },
        { $unwind: '$customer' },
        { $project: { _id: 0, name: '$customer.name', sum: 1, n: 1 } },
        { $sort: { sum: -1 } },
      ])
      .toArray();
    expect(byCustomer).toEqual([
      { sum: 15, n: 2, name: 'ann' },
      { sum: 7, n: 1, name: 'bob' },
    ]);

    const perDay = await orders
      .aggregate([
        { $set: { day: { $dateToString: { format: '%Y-%m-%d', date: '$at' } } } },
        { $addFields: { bucket: { $dateTrunc: { date: '$at', unit: 'day' } } } },
        { $group: { _id: { day: '$day', bucket: '$bucket' }, n: { $sum: 1 } } },
        { $sort: { '_id.day': 1 } },
        { $skip: 1 },
        { $limit: 1 },
      ])
      .toArray();
    expect(perDay).toEqual([{ _id: { day: '2024-03-02', bucket: new Date('2024-03-02T00:00:00Z') }, n: 1 }]);

    const items = await orders.aggregate([{ $unwind: '$items' }, { $group: { _id: '$items', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(items).toEqual([{ _id: 'a', n: 1 }, { _id: 'b', n: 2 }, { _id: 'c', n: 1 }]);

    const [facets] = await orders
      .aggregate([
        { $facet: { count: [{ $count: 'n' }], top: [{ $sort: { total: -1 } }, { $limit: 1 }, { $project: { _id: 0, total: 1 } }] } },
      ])
      .toArray();
    expect(facets).toEqual({ count: [{ n: 4 }], top: [{ total: 10 }] });

    // Stored documents are not altered by $set stages.
    expect(await orders.countDocuments({ day: { $exists: true } })).toBe(0);
  });

  it('supports $text search with textScore projection and sort', async () => {
    const c = db.collection('articles');
    await c.createIndex({ title: 'text', body: 'text' });
    await c.insertMany([
      { title: 'Banana bread', body: 'A recipe with banana and walnut' },
      { title: 'Walnut salad', body: 'Fresh greens' },
      { title: 'Kiwi jam', body: 'Sweet kiwi' },
    ]);
    const res = await c
      .find({ $text: { $search: 'banana walnut' } }, { projection: { _id: 0, title: 1, score: { $meta: 'textScore' } } })
      .sort({ score: { $meta: 'textScore' } })
      .toArray();
    expect(res.map((r) => r.title)).toEqual(['Banana bread', 'Walnut salad']);
    expect(res[0].score).toBeGreaterThan(res[1].score);
    expect(await c.countDocuments({ $text: { $search: 'kiwi' } })).toBe(1);
    const agg = await c
      .aggregate([
        { $match: { $text: { $search: 'walnut -salad' } } },
        { $project: { _id: 0, title: 1, score: { $meta: 'textScore' } } },
        { $sort: { score: { $meta: 'textScore' } } },
      ])
      .toArray();
    expect(agg).toHaveLength(1);
    expect(agg[0].title).toBe('Banana bread');
    expect(agg[0].score).toBeGreaterThan(0);
    const phrase = await c.find({ $text: { $search: '"banana bread"' } }, { projection: { _id: 0, title: 1 } }).toArray();
    expect(phrase).toEqual([{ title: 'Banana bread' }]);
    const idx = await c.listIndexes().toArray();
    const text = idx.find((i) => i.name === 'title_text_body_text');
    expect(text?.key).toEqual({ _fts: 'text', _ftsx: 1 });
    expect(text?.weights).toEqual({ title: 1, body: 1 });
  });

  it('expires documents through a TTL index', async () => {
    const c = db.collection('sessions');
    await c.createIndex({ createdAt: 1 }, { expireAfterSeconds: 1 });
    await c.insertMany([{ k: 'old', createdAt: new Date(Date.now() - 60_000) }, { k: 'fresh', createdAt: new Date(Date.now() + 3_600_000) }, { k: 'no-date', createdAt: 'x' }]);
    const gone = await waitFor(async () => (await c.countDocuments({ k: 'old' })) === 0, target.embedded ? 10_000 : 90_000, 200);
    expect(gone).toBe(true);
    expect((await c.find({}, { projection: { _id: 0, k: 1 } }).sort({ k: 1 }).toArray()).map((d) => d.k)).toEqual(['fresh', 'no-date']);
  });

  it('counts and lists distinct values', async () => {
    const c = db.collection('tags');
    await c.insertMany([{ t: ['a', 'b'], n: 1 }, { t: ['b'], n: 2 }, { t: 'c', n: 3 }, { n: 4 }]);
    expect((await c.distinct('t')).sort()).toEqual(['a', 'b', 'c']);
    expect((await c.distinct('n', { n: { $gt: 2 } })).sort()).toEqual([3, 4]);
    expect(await c.countDocuments({ t: 'b' })).toBe(2);
    expect(await c.countDocuments({}, { skip: 1, limit: 2 })).toBe(2);
    expect(await c.estimatedDocumentCount()).toBe(4);
  });

  it('findAndModify: new, upsert, remove, sort and fields', async () => {
    const c = db.collection('counters');
    const created = await c.findOneAndUpdate({ _id: 'seq' as never }, { $inc: { v: 1 } }, { upsert: true, returnDocument: 'after' });
    expect(created).toEqual({ _id: 'seq', v: 1 });
    const before = await c.findOneAndUpdate({ _id: 'seq' as never }, { $inc: { v: 1 } }, { returnDocument: 'before' });
    expect(before).toEqual({ _id: 'seq', v: 1 });
    await c.insertMany([{ q: 1, p: 5 }, { q: 1, p: 9 }, { q: 1, p: 7 }]);
    const top = await c.findOneAndUpdate({ q: 1 }, { $set: { picked: true } }, { sort: { p: -1 }, projection: { _id: 0, p: 1, picked: 1 }, returnDocument: 'after' });
    expect(top).toEqual({ p: 9, picked: true });
    const removed = await c.findOneAndDelete({ q: 1 }, { sort: { p: 1 } });
    expect(removed?.p).toBe(5);
    const withMeta = await c.findOneAndUpdate({ q: 2 }, { $set: { x: 1 } }, { upsert: true, includeResultMetadata: true });
    expect(withMeta.value).toBeNull();
    expect(withMeta.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    const replaced = await c.findOneAndReplace({ q: 2 }, { q: 2, replaced: true }, { returnDocument: 'after', projection: { _id: 0 } });
    expect(replaced).toEqual({ q: 2, replaced: true });
  });

  it('applies arrayFilters and positional updates', async () => {
    const c = db.collection<{ _id: number; grades: Array<{ g: number; m: number }>; tags: string[] }>('grades');
    await c.insertOne({ _id: 1, grades: [{ g: 80, m: 1 }, { g: 95, m: 1 }, { g: 100, m: 1 }], tags: ['a', 'b'] });
    await c.updateOne({ _id: 1 }, { $set: { 'grades.$[hi].m': 2 } }, { arrayFilters: [{ 'hi.g': { $gte: 95 } }] });
    await c.updateOne({ _id: 1, tags: 'b' }, { $set: { 'tags.$': 'B' } });
    await c.updateOne({ _id: 1 }, { $push: { tags: 'c' }, $pull: { grades: { g: 80 } } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, grades: [{ g: 95, m: 2 }, { g: 100, m: 2 }], tags: ['a', 'B', 'c'] });
  });

  it('returns MongoDB error shapes for unknown commands and operators', async () => {
    await expect(db.command({ xyzzy: 1 })).rejects.toMatchObject({ code: 59, codeName: 'CommandNotFound', message: "no such command: 'xyzzy'" });
    await expect(db.collection('crud').find({ $foo: 1 }).toArray()).rejects.toMatchObject({ code: 2, message: 'unknown top level operator: $foo' });
    await expect(db.collection('crud').find({ a: { $foo: 1 } }).toArray()).rejects.toMatchObject({ code: 2 });
    await expect(db.collection('crud').updateOne({}, { $foo: { a: 1 } }, { upsert: true })).rejects.toMatchObject({ code: 9 });
  });

  it('manages collections and indexes', async () => {
    await db.createCollection('metrics', { timeseries: { timeField: 'ts', metaField: 'm' }, expireAfterSeconds: 3600 });
    await db.createCollection('plain');
    await expect(db.createCollection('plain')).rejects.toMatchObject({ code: 48 });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['metrics', 'plain']));
    const ts = await db.listCollections({ name: 'metrics' }).toArray();
    expect(ts).toHaveLength(1);
    expect(ts[0].type).toBe('timeseries');
    expect((ts[0] as CollectionInfo).options?.timeseries?.timeField).toBe('ts');
    await db.collection('metrics').insertOne({ ts: new Date(), m: 'cpu', v: 1 });
    expect(await db.collection('metrics').countDocuments()).toBe(1);

    const dbs = await db.admin().listDatabases();
    expect(dbs.databases.map((d) => d.name)).toContain(db.databaseName);

    const p = db.collection('plain');
    await p.createIndex({ a: 1, b: -1 }, { name: 'ab' });
    await p.createIndex({ a: 1, b: -1 }, { name: 'ab' }); // idempotent
    await expect(p.createIndex({ a: 1, b: -1 }, { name: 'other' })).rejects.toMatchObject({ code: 85 });
    await expect(p.createIndex({ a: 1, b: -1 }, { name: 'ab', unique: true })).rejects.toMatchObject({ code: 85 });
    await expect(p.createIndex({ a: 1 }, { name: 'ab' })).rejects.toMatchObject({ code: 86 });
    expect((await p.listIndexes().toArray()).map((i) => [i.name, i.key])).toEqual([
      ['_id_', { _id: 1 }],
      ['ab', { a: 1, b: -1 }],
    ]);
    await p.dropIndex('ab');
    expect((await p.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    expect(await p.drop()).toBe(true);
    expect((await db.listCollections({ name: 'plain' }).toArray()).length).toBe(0);
  });

  it('uses an index for equality and range lookups instead of scanning', async () => {
    const c = db.collection('indexed');
    await c.insertMany(Array.from({ length: 2000 }, (_, i) => ({ i, k: `key${i}`, mod: i % 10 })));
    await c.createIndex({ k: 1 });
    await c.createIndex({ i: 1 });
    const eq = await c.find({ k: 'key1234' }).explain('executionStats');
    expect(eq.executionStats.nReturned).toBe(1);
    expect(eq.executionStats.totalDocsExamined).toBeLessThanOrEqual(1);
    const range = await c.find({ i: { $gte: 100, $lt: 110 } }).explain('executionStats');
    expect(range.executionStats.nReturned).toBe(10);
    expect(range.executionStats.totalDocsExamined).toBeLessThanOrEqual(10);
    const inList = await c.find({ k: { $in: ['key1', 'key2', 'nope'] } }).explain('executionStats');
    expect(inList.executionStats.totalDocsExamined).toBeLessThanOrEqual(2);
    const either = await c.find({ $or: [{ k: 'key7' }, { i: { $lt: 3 } }] }).explain('executionStats');
    expect(either.executionStats.nReturned).toBe(4);
    expect(either.executionStats.totalDocsExamined).toBeLessThanOrEqual(4);
    const scan = await c.find({ mod: 3 }).explain('executionStats');
    expect(scan.executionStats.totalDocsExamined).toBe(2000);

    // Index answers must equal scan answers, including multikey arrays, mixed types and updates.
    const m = db.collection('multikey');
    await m.createIndex({ v: 1 });
    await m.insertMany([{ n: 1, v: [1, 10] }, { n: 2, v: 6 }, { n: 3, v: 'seven' }, { n: 4, v: null }, { n: 5 }, { n: 6, v: [7] }, { n: 7, v: 6.5 }]);
    await m.updateOne({ n: 7 }, { $set: { v: 20 } });
    const ns = async (f: object): Promise<number[]> => (await m.find(f).sort({ n: 1 }).toArray()).map((d) => d.n as number);
    expect(await ns({ v: { $gt: 5, $lt: 8 } })).toEqual([1, 2, 6]);
    expect(await ns({ v: { $gte: 10 } })).toEqual([1, 7]);
    expect(await ns({ v: 7 })).toEqual([6]);
    expect(await ns({ v: null })).toEqual([4, 5]);
    expect(await ns({ v: { $in: [6, 'seven'] } })).toEqual([2, 3]);
    expect(await ns({ v: { $lt: 'z' } })).toEqual([3]);
    expect((await m.find({}).sort({ v: 1, n: 1 }).toArray()).map((d) => d.n)).toEqual([4, 5, 1, 2, 6, 7, 3]);
  });
});
