import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startStack, type Stack } from '../../../tools/devstack/src';

declare global {
  var __TEST_STACK__: { stack: Stack; dir: string } | undefined;
}

/**
 * One embedded stack for the whole integration run: real PostgreSQL (fsync off) and the Kafka
 * mock, in Jest's main process. Workers find them through process.env. Each test file makes
 * its own databases and topics' consumer groups, so files never see each other's data.
 */
export default async function globalSetup(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'platform-test-'));
  fs.chmodSync(dir, 0o755); // PostgreSQL runs as its own OS user and must reach its folder
  const stack = await startStack({
    dataDir: dir,
    fastPostgres: true,
    controlPort: 0,
    databaseUrl: process.env.DATABASE_URL,
    kafkaBrokerList: process.env.KAFKA_BROKERS,
    mongodbUrl: process.env.MONGODB_URL,
  });
  globalThis.__TEST_STACK__ = { stack, dir };
  process.env.TEST_PG_URL = stack.endpoints.postgres.url;
  process.env.TEST_KAFKA_BROKERS = stack.endpoints.kafka.brokers.join(',');
  process.env.TEST_KAFKA_EMBEDDED = String(stack.endpoints.kafka.embedded);
  process.env.TEST_STACK_CONTROL = stack.endpoints.control ?? '';
  process.env.TEST_MONGO_URL = stack.endpoints.mongodb.url ?? '';
}
