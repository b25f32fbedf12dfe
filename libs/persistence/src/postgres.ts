import { EntityCaseNamingStrategy, ReflectMetadataProvider, type MigrationObject, type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';

export interface PostgresOrmInput {
  service: string;
  clientUrl: string;
  entities: Options['entities'];
  /** Migrations compiled into the app (see each app's `migrations/index.ts`); no file globbing at run time. */
  migrations: MigrationObject[];
  /** Source folder of the migrations, for generating new ones and for the snapshot. */
  migrationsPathTs?: string;
  poolMax?: number;
  debug?: boolean;
}

/** MikroORM options shared by the PostgreSQL-owning services: UTC timestamptz, migrations with snapshots. */
export function postgresOrmOptions(input: PostgresOrmInput): Options<PostgreSqlDriver> {
  return {
    driver: PostgreSqlDriver,
    clientUrl: input.clientUrl,
    entities: input.entities,
    metadataProvider: ReflectMetadataProvider,
    // Column names are the property names, camelCase, as the schema contract writes them.
    namingStrategy: EntityCaseNamingStrategy,
    forceUtcTimezone: true,
    debug: input.debug ?? false,
    allowGlobalContext: false,
    pool: { min: 0, max: input.poolMax ?? 10 },
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: false },
    migrations: {
      tableName: 'mikro_orm_migrations',
      migrationsList: input.migrations,
      path: input.migrationsPathTs,
      pathTs: input.migrationsPathTs,
      snapshot: true,
      snapshotName: `.snapshot-${input.service}`,
      transactional: true,
      allOrNothing: true,
      emit: 'ts',
      silent: true,
      fileName: (timestamp: string, name?: string) => `Migration${timestamp}${name ? `_${name}` : ''}`,
    },
  };
}
