// Durability: acknowledged writes survive SIGKILL of the server process, a torn last journal record
// is tolerated, and compaction (snapshot + truncate) keeps every document.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';

const root = path.resolve(__dirname, '../../..');
const mainJs = path.join(root, 'dist/tools/mongo-embedded/src/main.js');

interface Child {
  proc: ChildProcess;
  url: string;
}

function startChild(dbPath: string, extra: string[] = []): Promise<Child> {
  const proc = spawn(process.execPath, [mainJs, '--port', '0', '--dbpath', dbPath, '--quiet', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${err}`)), 20_000);
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready on ([\d.]+):(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: `mongodb://${m[1]}:${m[2]}/` });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited early with ${code}: ${err}`));
    });
  });
}

function kill(child: Child, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.proc.removeAllListeners('exit');
    child.proc.once('exit', (code) => resolve(code));
    child.proc.kill(signal);
  });
}

async function withClient<T>(url: string, fn: (c: MongoClient) => Promise<T>): Promise<T> {
  const client = await MongoClient.connect(url, { serverSelectionTimeoutMS: 5000 });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const journals = (dir: string): string[] => fs.readdirSync(dir).filter((f) => f.startsWith('journal.')).sort();

let tmp: string;
const children: Child[] = [];

beforeAll(() => {
  execFileSync(process.execPath, [path.join(root, 'tools/build.js'), '--quiet'], { cwd: root, stdio: 'inherit' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-embedded-durability-'));
});

afterAll(() => {
  for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function start(dbPath: string, extra?: string[]): Promise<Child> {
  const c = await startChild(dbPath, extra);
  children.push(c);
  return c;
}

describe('durability', () => {
  it('keeps acknowledged writes across SIGKILL, including indexes and collection options', async () => {
    const dir = path.join(tmp, 'kill');
    const first = await start(dir);
    await withClient(first.url, async (client) => {
      const c = client.db('d').collection('items');
      await c.createIndex({ sku: 1 }, { unique: true });
      // Concurrent writers: their fsyncs are grouped, and every acknowledged one must survive.
      await Promise.all(
        Array.from({ length: 8 }, (_, w) => c.insertMany(Array.from({ length: 100 }, (_, i) => ({ sku: `w${w}-${i}`, qty: i })))),
      );
      await c.updateMany({ qty: { $lt: 10 } }, { $set: { low: true } });
      await c.deleteMany({ qty: { $gte: 90 } });
      await client.db('d').createCollection('ts', { timeseries: { timeField: 't' } });
    });
    expect(await kill(first, 'SIGKILL')).toBeNull();

    const second = await start(dir);
    await withClient(second.url, async (client) => {
      const c = client.db('d').collection('items');
      expect(await c.countDocuments()).toBe(8 * 90);
      expect(await c.countDocuments({ low: true })).toBe(8 * 10);
      expect(await c.findOne({ sku: 'w3-5' }, { projection: { _id: 0 } })).toEqual({ sku: 'w3-5', qty: 5, low: true });
      await expect(c.insertOne({ sku: 'w0-1' })).rejects.toMatchObject({ code: 11000 });
      const ts = await client.db('d').listCollections({ name: 'ts' }).toArray();
      expect(ts[0]?.type).toBe('timeseries');
    });
    // A clean SIGTERM exits 0 and keeps data too.
    expect(await kill(second, 'SIGTERM')).toBe(0);
    const third = await start(dir);
    await withClient(third.url, async (client) => expect(await client.db('d').collection('items').countDocuments()).toBe(720));
    await kill(third, 'SIGKILL');
  });

  it('tolerates a torn last journal record', async () => {
    const dir = path.join(tmp, 'torn');
    const first = await start(dir);
    await withClient(first.url, async (client) => {
      const c = client.db('d').collection('t');
      await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ i })));
      await c.insertOne({ last: true }); // the record we will tear
    });
    await kill(first, 'SIGKILL');
    const files = journals(dir);
    const lastFile = path.join(dir, files[files.length - 1]);
    const size = fs.statSync(lastFile).size;
    fs.truncateSync(lastFile, size - 5);

    const second = await start(dir);
    await withClient(second.url, async (client) => {
      const c = client.db('d').collection('t');
      expect(await c.countDocuments({ i: { $exists: true } })).toBe(50);
      expect(await c.countDocuments({ last: true })).toBe(0);
      await c.insertOne({ after: true });
    });
    await kill(second, 'SIGKILL');
    // Writes made after recovering from the torn tail are themselves durable.
    const third = await start(dir);
    await withClient(third.url, async (client) => {
      expect(await client.db('d').collection('t').countDocuments()).toBe(51);
      expect(await client.db('d').collection('t').countDocuments({ after: true })).toBe(1);
    });
    await kill(third, 'SIGKILL');
  });

  it('compacts the journal into a snapshot without losing data', async () => {
    const dir = path.join(tmp, 'compact');
    const first = await start(dir, ['--compact-bytes', '50000']);
    await withClient(first.url, async (client) => {
      const c = client.db('d').collection('big');
      await c.createIndex({ n: 1 });
      for (let b = 0; b < 20; b++) {
        await c.insertMany(Array.from({ length: 100 }, (_, i) => ({ n: b * 100 + i, pad: 'x'.repeat(100) })));
      }
      await c.updateMany({ n: { $lt: 100 } }, { $set: { touched: true } });
      await c.deleteMany({ n: { $gte: 1900 } });
      const status = await client.db('admin').command({ serverStatus: 1 });
      expect(status.mongoEmbedded.compactions).toBeGreaterThan(0);
    });
    expect(fs.existsSync(path.join(dir, 'snapshot.bson'))).toBe(true);
    // Old generations are deleted once the snapshot is durable: the journal stays small.
    const journalBytes = journals(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
    expect(journalBytes).toBeLessThan(2 * 50000 + 200_000);
    await kill(first, 'SIGKILL');

    const second = await start(dir);
    await withClient(second.url, async (client) => {
      const c = client.db('d').collection('big');
      expect(await c.countDocuments()).toBe(1900);
      expect(await c.countDocuments({ touched: true })).toBe(100);
      expect((await c.findOne({ n: 1234 }))?.pad).toHaveLength(100);
      const idx = await c.listIndexes().toArray();
      expect(idx.map((i) => i.name)).toEqual(['_id_', 'n_1']);
    });
    await kill(second, 'SIGKILL');
  });
});
