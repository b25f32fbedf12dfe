import { EnvReader, readDatabaseUrl } from '@lib/config';
import { MikroORM, type Options } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';

/** Applies pending migrations; returns the names applied. Used by `npm start` and the Kubernetes Job. */
export async function runMigrations(options: Options<PostgreSqlDriver>): Promise<string[]> {
  const orm = await MikroORM.init<PostgreSqlDriver>(options);
  try {
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await orm.close(true);
  }
}

/**
 * The body of each service's `migrate.ts`: reads DATABASE_URL (naming it if bad), applies
 * pending migrations, prints one JSON line, and exits non-zero on failure.
 */
export async function runMigrationCommand(service: string, options: (url: string) => Options<PostgreSqlDriver>): Promise<void> {
  const env = new EnvReader();
  let url: string;
  try {
    url = env.done(readDatabaseUrl(env));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(78);
  }
  try {
    const applied = await runMigrations(options(url));
    process.stdout.write(`${JSON.stringify({ service, msg: 'migrations applied', applied })}\n`);
    process.exit(0);
  } catch (err) {
    process.stderr.write(`${JSON.stringify({ service, msg: 'migration failed', err: (err as Error).message })}\n`);
    process.exit(1);
  }
}
