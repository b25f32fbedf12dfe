import { EntityCaseNamingStrategy, ReflectMetadataProvider, type Options } from '@mikro-orm/core';
import { MongoDriver } from '@mikro-orm/mongodb';

export interface MongoOrmInput {
  clientUrl: string;
  dbName?: string;
  entities: Options['entities'];
  debug?: boolean;
}

/** The database named in a MongoDB URL's path, if any: `mongodb://h:27017/audit` → `audit`. */
export function mongoDbName(url: string, fallback: string): string {
  const m = /^mongodb(?:\+srv)?:\/\/[^/]+\/([^?]+)/.exec(url);
  return m?.[1] ? decodeURIComponent(m[1]) : fallback;
}

/** MikroORM options for the MongoDB-owning services; indexes come from entity metadata at start. */
export function mongoOrmOptions(input: MongoOrmInput): Options<MongoDriver> {
  return {
    driver: MongoDriver,
    clientUrl: input.clientUrl,
    dbName: input.dbName,
    entities: input.entities,
    metadataProvider: ReflectMetadataProvider,
    namingStrategy: EntityCaseNamingStrategy,
    ensureIndexes: true,
    allowGlobalContext: false,
    debug: input.debug ?? false,
    discovery: { warnWhenNoEntities: false },
  };
}
