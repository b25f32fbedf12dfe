import { allTopicsWithPartitions } from '@lib/contracts';
import { createKafka } from '@lib/messaging';
import { EnvReader } from '@lib/config';

/**
 * Creates every catalogue topic (and its dead-letter topic) on a real Kafka: run once per
 * deployment (compose one-shot, Kubernetes Job) before the services, since topic auto-creation
 * is off. Existing topics are left alone; a partition count that differs is reported, never
 * changed, because that would move keys between partitions.
 */
async function main(): Promise<void> {
  const env = new EnvReader();
  const config = env.done({
    brokers: env.hostList('KAFKA_BROKERS'),
    replicationFactor: env.int('KAFKA_REPLICATION_FACTOR', 1, { min: 1, max: 10 }),
  });
  const admin = createKafka({ brokers: config.brokers, clientId: 'create-topics' }).admin();
  await admin.connect();
  try {
    const wanted = allTopicsWithPartitions();
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((t) => !existing.has(t.name));
    if (missing.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: config.replicationFactor })),
      });
    }
    const meta = await admin.fetchTopicMetadata({ topics: wanted.map((t) => t.name) });
    const mismatched = wanted.filter((t) => meta.topics.find((m) => m.name === t.name)?.partitions.length !== t.partitions);
    for (const t of mismatched) process.stderr.write(`topic ${t.name} exists with a different partition count than the catalogue's ${t.partitions}\n`);
    process.stdout.write(`${JSON.stringify({ msg: 'topics ready', created: missing.map((t) => t.name), total: wanted.length })}\n`);
    if (mismatched.length) process.exitCode = 1;
  } finally {
    await admin.disconnect();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(1);
});
