import path from 'node:path';
import { LibrdkafkaMissingError, startStack, writeEndpoints } from '../devstack/src';
import { DATA_DIR } from './env';

/** `npm run stack`: the embedded stack alone, for running services or tools by hand. */
async function main(): Promise<void> {
  const dataDir = process.env.STACK_DATA_DIR ? path.resolve(process.env.STACK_DATA_DIR) : DATA_DIR;
  const stack = await startStack({
    dataDir,
    pgPort: Number(process.env.STACK_PG_PORT ?? 54329),
    databaseUrl: process.env.DATABASE_URL,
    kafkaBrokerList: process.env.KAFKA_BROKERS,
    mongodbUrl: process.env.MONGODB_URL,
    controlPort: Number(process.env.STACK_CONTROL_PORT ?? 0),
    log: (l) => process.stdout.write(`stack: ${l}\n`),
  });
  const file = path.join(dataDir, 'stack.json');
  writeEndpoints(file, stack.endpoints);
  const e = stack.endpoints;
  process.stdout.write(
    [
      '',
      'Embedded stack ready:',
      `  PostgreSQL  ${e.postgres.url.replace(/:[^:@/]+@/, ':***@')}${e.postgres.embedded ? ' (embedded)' : ''}`,
      `  Kafka       ${e.kafka.brokers.join(',')}${e.kafka.embedded ? ' (embedded mock)' : ''}`,
      `  MongoDB     ${e.mongodb.url ?? e.mongodb.status}`,
      `  Control     ${e.control ?? 'n/a'}`,
      `Endpoints written to ${path.relative(process.cwd(), file)}. Ctrl-C stops.`,
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof LibrdkafkaMissingError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
