import { MikroORM } from '@mikro-orm/mongodb';
import { randomUUID } from 'node:crypto';
import { MONGO_MESSAGING_ENTITIES, MongoDedupeStore } from '@lib/messaging';
import { mongoOrmOptions } from '@lib/persistence';
import { testStack, uniqueName } from '@lib/testing';

describe('MongoDB de-duplication (embedded MongoDB-compatible server)', () => {
  const { mongoUrl } = testStack();
  let orm: MikroORM;

  beforeAll(async () => {
    orm = await MikroORM.init(mongoOrmOptions({ clientUrl: mongoUrl, dbName: uniqueName('dedupe'), entities: [...MONGO_MESSAGING_ENTITIES] }));
  });

  afterAll(async () => {
    await orm?.close(true);
  });

  it('creates its indexes from entity metadata', async () => {
    const indexes = await orm.em.getConnection().getCollection('processed_events').listIndexes().toArray();
    expect(indexes.map((i) => i.key)).toEqual(expect.arrayContaining([{ _id: 1 }, { processedAt: 1 }]));
  });

  it('applies an event once, and again after a failed attempt released it', async () => {
    const store = new MongoDedupeStore(orm);
    const id = randomUUID();
    let runs = 0;
    await expect(store.runOnce('g', id, 't', async () => {
      runs++;
      throw new Error('handler failed');
    })).rejects.toThrow('handler failed');
    expect(await store.runOnce('g', id, 't', async () => void runs++)).toBe('processed');
    expect(await store.runOnce('g', id, 't', async () => void runs++)).toBe('duplicate');
    expect(await store.runOnce('other-group', id, 't', async () => void runs++)).toBe('processed');
    expect(runs).toBe(3);
  });
});
