// Embedded-only behaviour that cannot be compared with a real MongoDB: metrics, time-series TTL timing,
// journal framing, and in-process restart.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';
import { startServer } from '../src/server';
import type { RunningServer } from '../src/server';
import { frameRecord, readRecords } from '../src/journal';
import { waitFor } from './target';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-embedded-engine-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function withServer<T>(opts: { ttlSweepMs?: number }, fn: (s: RunningServer, c: MongoClient) => Promise<T>): Promise<T> {
  const s = await startServer({ dbPath: dir, port: 0, ...opts });
  const c = await MongoClient.connect(s.url);
  try {
    return await fn(s, c);
  } finally {
    await c.close();
    await s.stop();
  }
}

describe('engine', () => {
  it('counts examined documents in serverStatus: an indexed lookup touches one document', async () => {
    await withServer({}, async (_s, client) => {
      const c = client.db('e').collection('m');
      await c.insertMany(Array.from({ length: 10_000 }, (_, i) => ({ code: `c${i}`, other: `o${i}` })));
      await c.createIndex({ code: 1 });
      const examined = async (): Promise<number> => (await client.db('admin').command({ serverStatus: 1 })).metrics.queryExecutor.scannedObjects as number;
      const before = await examined();
      expect(await c.findOne({ code: 'c4321' })).toMatchObject({ other: 'o4321' });
      const indexed = (await examined()) - before;
      expect(indexed).toBe(1);
      const before2 = await examined();
      expect(await c.findOne({ other: 'o4321' })).toMatchObject({ code: 'c4321' });
      expect((await examined()) - before2).toBeGreaterThan(4000);
    });
  });

  it('expires time-series measurements by expireAfterSeconds', async () => {
    await withServer({ ttlSweepMs: 100 }, async (_s, client) => {
      const db = client.db('e');
      await db.createCollection('ts', { timeseries: { timeField: 't', metaField: 'm' }, expireAfterSeconds: 60 });
      await db.collection('ts').insertMany([{ t: new Date(Date.now() - 120_000), m: 'old' }, { t: new Date(), m: 'new' }]);
      expect(await waitFor(async () => (await db.collection('ts').countDocuments()) === 1, 5000)).toBe(true);
      expect((await db.collection('ts').findOne({}))?.m).toBe('new');
    });
  });

  it('refuses a unique index over existing duplicates and keeps no partial index', async () => {
    await withServer({}, async (_s, client) => {
      const c = client.db('e').collection('d');
      await c.insertMany([{ a: 1 }, { a: 1 }]);
      await expect(c.createIndex({ a: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
      expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    });
  });

  it('restores documents, indexes and text indexes after an in-process restart', async () => {
    await withServer({}, async (_s, client) => {
      const c = client.db('e').collection('r');
      await c.createIndex({ body: 'text' });
      await c.createIndex({ k: 1 }, { unique: true, name: 'k_unique' });
      await c.insertMany([{ k: 1, body: 'hello world' }, { k: 2, body: 'goodbye moon' }]);
    });
    await withServer({}, async (_s, client) => {
      const c = client.db('e').collection('r');
      expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'body_text', 'k_unique']);
      expect((await c.find({ $text: { $search: 'moon' } }).toArray()).map((d) => d.k)).toEqual([2]);
      await expect(c.insertOne({ k: 1 })).rejects.toMatchObject({ code: 11000 });
    });
  });

  it('journals and snapshots records larger than bson\'s 17 MiB scratch buffer', async () => {
    const pad = 'x'.repeat(7 * 1024 * 1024);
    const s = await startServer({ dbPath: dir, port: 0, compactBytes: 30 * 1024 * 1024 });
    const client = await MongoClient.connect(s.url);
    await client.db('e').collection('big').insertMany([{ i: 1, pad }, { i: 2, pad }, { i: 3, pad }]); // one ~21 MB record
    await client.db('e').collection('big').insertMany([{ i: 4, pad }, { i: 5, pad }]); // crosses compactBytes
    expect(await waitFor(async () => (await client.db('admin').command({ serverStatus: 1 })).mongoEmbedded.compactions > 0, 10_000)).toBe(true);
    await client.close();
    await s.stop();
    await withServer({}, async (_s, c) => {
      const docs = await c.db('e').collection('big').find({}, { projection: { _id: 0, i: 1 } }).sort({ i: 1 }).toArray();
      expect(docs.map((d) => d.i)).toEqual([1, 2, 3, 4, 5]);
    });
  });

  it('refuses to open a dbPath another live server is using', async () => {
    const s = await startServer({ dbPath: dir, port: 0 });
    try {
      await expect(startServer({ dbPath: dir, port: 0 })).rejects.toThrow(/in use/);
    } finally {
      await s.stop();
    }
    const again = await startServer({ dbPath: dir, port: 0 }); // released on stop
    await again.stop();
  });

  it('stops reading the journal at the first corrupt record', () => {
    const file = path.join(dir, 'j.log');
    const a = frameRecord({ op: 'x', n: 1 });
    const b = frameRecord({ op: 'x', n: 2 });
    const c = frameRecord({ op: 'x', n: 3 });
    b[b.length - 1] ^= 0xff; // flip a payload bit: the CRC no longer matches
    fs.writeFileSync(file, Buffer.concat([a, b, c]));
    const r = readRecords(file);
    expect(r.records.map((x) => x.n)).toEqual([1]);
    expect(r.validBytes).toBe(a.length);
  });
});
