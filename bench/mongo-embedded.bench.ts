// Benchmark for the embedded MongoDB-compatible server, through the official driver:
// inserts/s in batches of 1,000 up to 100k documents, then finds/s by an indexed field and by an
// unindexed one (which scans all 100k documents per query). Prints figures only.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MongoClient } from 'mongodb';

const DOCS = 100_000;
const BATCH = 1_000;
const INDEXED_QUERIES = 20_000;
const UNINDEXED_QUERIES = 200;
const CONCURRENCY = 8;

async function startServer(dbPath: string): Promise<{ url: string; stop(): Promise<void> }> {
  // A separate process, as in the dev stack, so client and server do not share one event loop.
  const main = path.resolve(__dirname, '../tools/mongo-embedded/src/main.js');
  const proc = spawn(process.execPath, [main, '--port', '0', '--dbpath', dbPath, '--quiet'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready on ([\d.]+):(\d+)/.exec(out);
      if (m) resolve(`mongodb://${m[1]}:${m[2]}/`);
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        proc.removeAllListeners('exit');
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

async function timed(label: string, ops: number, fn: () => Promise<void>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = ops / secs;
  console.log(`${label.padEnd(44)} ${ops.toLocaleString('en-US').padStart(8)} ops in ${secs.toFixed(2)} s = ${Math.round(rate).toLocaleString('en-US').padStart(9)} /s`);
  return rate;
}

async function parallel(total: number, worker: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) await worker(next++);
    }),
  );
}

async function main(): Promise<void> {
  const dbPath = fs.mkdtempSync(path.join(os.tmpdir(), 'mongo-embedded-bench-'));
  const server = await startServer(dbPath);
  const client = await MongoClient.connect(server.url, { maxPoolSize: CONCURRENCY });
  try {
    const coll = client.db('bench').collection('users');
    await coll.createIndex({ email: 1 }, { unique: true });
    console.log(`mongo-embedded benchmark: ${DOCS.toLocaleString('en-US')} documents, ${os.cpus().length} cores, node ${process.version}`);
    await timed(`insertMany, batches of ${BATCH} (durable)`, DOCS, async () => {
      for (let start = 0; start < DOCS; start += BATCH) {
        await coll.insertMany(
          Array.from({ length: BATCH }, (_, j) => {
            const i = start + j;
            return { email: `user${i}@example.com`, handle: `handle-${i}`, group: i % 100, score: (i * 7919) % 1000, createdAt: new Date(1_700_000_000_000 + i * 1000) };
          }),
        );
      }
    });
    const rnd = (i: number): number => (i * 2654435761) % DOCS;
    const indexed = await timed(`findOne by indexed field (x${CONCURRENCY} conc.)`, INDEXED_QUERIES, () =>
      parallel(INDEXED_QUERIES, async (i) => {
        const doc = await coll.findOne({ email: `user${rnd(i)}@example.com` });
        if (!doc) throw new Error('missing document');
      }),
    );
    const unindexed = await timed(`findOne by unindexed field (x${CONCURRENCY} conc.)`, UNINDEXED_QUERIES, () =>
      parallel(UNINDEXED_QUERIES, async (i) => {
        const doc = await coll.findOne({ handle: `handle-${rnd(i)}` });
        if (!doc) throw new Error('missing document');
      }),
    );
    console.log(`indexed / unindexed lookup ratio: ${(indexed / unindexed).toFixed(0)}x`);
  } finally {
    await client.close();
    await server.stop();
    fs.rmSync(dbPath, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
