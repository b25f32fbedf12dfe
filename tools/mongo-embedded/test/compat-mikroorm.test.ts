// The same compatibility cases through MikroORM's MongoDB driver, which is how services talk to
// MongoDB. Also run against a real MongoDB when MONGODB_URL is set.
import { MikroORM, MongoDriver, ObjectId, UniqueConstraintViolationException } from '@mikro-orm/mongodb';
import { Entity, Index, PrimaryKey, Property, SerializedPrimaryKey, Unique } from '@mikro-orm/core';
import { startTarget, uniqueDbName, waitFor } from './target';
import type { Target } from './target';

@Entity({ collection: 'orm_accounts' })
@Index({ properties: ['tenant', 'createdAt'], name: 'tenant_created' })
class Account {
  @PrimaryKey({ type: 'ObjectId' })
  _id!: ObjectId;

  @SerializedPrimaryKey({ type: 'string' })
  id!: string;

  @Property({ type: 'string' })
  @Unique()
  email!: string;

  @Property({ type: 'string' })
  @Index()
  tenant!: string;

  @Property({ type: 'number' })
  score = 0;

  @Property({ type: 'json', nullable: true })
  tags?: string[];

  @Property({ type: 'Date' })
  createdAt: Date = new Date();
}

@Entity({ collection: 'orm_posts' })
@Index({ properties: ['title', 'body'], type: 'fulltext' })
class Post {
  @PrimaryKey({ type: 'ObjectId' })
  _id!: ObjectId;

  @SerializedPrimaryKey({ type: 'string' })
  id!: string;

  @Property({ type: 'string' })
  title!: string;

  @Property({ type: 'string' })
  body!: string;
}

@Entity({ collection: 'orm_tokens' })
@Index({ properties: ['expiresAt'], options: { expireAfterSeconds: 0 } })
class Token {
  @PrimaryKey({ type: 'ObjectId' })
  _id!: ObjectId;

  @SerializedPrimaryKey({ type: 'string' })
  id!: string;

  @Property({ type: 'string' })
  value!: string;

  @Property({ type: 'Date' })
  expiresAt!: Date;
}

let target: Target;
let orm: MikroORM;

beforeAll(async () => {
  target = await startTarget();
  orm = await MikroORM.init({
    driver: MongoDriver,
    clientUrl: target.url,
    dbName: uniqueDbName('compat_orm'),
    entities: [Account, Post, Token],
    ensureIndexes: true,
    allowGlobalContext: true,
    debug: false,
  });
});

afterAll(async () => {
  await orm?.getSchemaGenerator().dropSchema().catch(() => undefined);
  await orm?.close(true);
  await target?.stop();
});

const account = (email: string, tenant: string, score: number, tags?: string[]): Account => {
  const a = new Account();
  Object.assign(a, { email, tenant, score, tags });
  return a;
};

describe('MikroORM against ' + (process.env.MONGODB_URL ? 'MONGODB_URL' : 'mongo-embedded'), () => {
  it('creates the indexes declared in entity metadata', async () => {
    const indexes = await orm.em.getConnection().getCollection('orm_accounts').listIndexes().toArray();
    const byName: Record<string, { key: Record<string, unknown>; unique?: boolean }> = Object.fromEntries(indexes.map((i) => [i.name, i]));
    expect(byName.tenant_created.key).toEqual({ tenant: 1, createdAt: 1 });
    expect(Object.values(byName).find((i) => i.key.email === 1)?.unique).toBe(true);
    expect(Object.values(byName).some((i) => JSON.stringify(i.key) === '{"tenant":1}')).toBe(true);
    const postIdx = await orm.em.getConnection().getCollection('orm_posts').listIndexes().toArray();
    expect(postIdx.some((i) => i.key._fts === 'text')).toBe(true);
    const tokenIdx = await orm.em.getConnection().getCollection('orm_tokens').listIndexes().toArray();
    expect(tokenIdx.find((i) => i.key.expiresAt === 1)?.expireAfterSeconds).toBe(0);
    // ensureIndexes is idempotent: a second run must not fail.
    await orm.getSchemaGenerator().ensureIndexes();
  });

  it('does CRUD through the entity manager', async () => {
    const em = orm.em.fork();
    const a = account('crud@x.io', 't1', 1, ['a']);
    await em.persistAndFlush(a);
    expect(a.id).toMatch(/^[0-9a-f]{24}$/);
    const loaded = await orm.em.fork().findOneOrFail(Account, { email: 'crud@x.io' });
    expect(loaded.tenant).toBe('t1');
    expect(loaded.tags).toEqual(['a']);
    loaded.score = 42;
    await orm.em.fork().persistAndFlush(loaded).catch(() => undefined);
    const em2 = orm.em.fork();
    const again = await em2.findOneOrFail(Account, { id: a.id });
    again.score = 43;
    await em2.flush();
    expect((await orm.em.fork().findOneOrFail(Account, { id: a.id })).score).toBe(43);
    await em2.removeAndFlush(again);
    expect(await orm.em.fork().findOne(Account, { id: a.id })).toBeNull();
  });

  it('maps a unique violation (11000) to UniqueConstraintViolationException', async () => {
    await orm.em.fork().persistAndFlush(account('dup@x.io', 't1', 1));
    const err = await orm.em
      .fork()
      .persistAndFlush(account('dup@x.io', 't2', 2))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UniqueConstraintViolationException);
    expect(String((err as Error).message)).toContain('E11000 duplicate key error');
  });

  it('finds with orderBy, offset, limit and fields, paging through getMore', async () => {
    const em = orm.em.fork();
    for (let i = 0; i < 150; i++) em.persist(account(`page${i}@x.io`, 'paged', i));
    await em.flush();
    const page = await orm.em.fork().find(Account, { tenant: 'paged', score: { $gte: 10 } }, { orderBy: { score: 'desc' }, offset: 5, limit: 3, fields: ['email', 'score'] });
    expect(page.map((p) => p.score)).toEqual([144, 143, 142]);
    const all = await orm.em.fork().find(Account, { tenant: 'paged' }, { orderBy: { score: 'asc' } });
    expect(all).toHaveLength(150);
    expect(all[149].score).toBe(149);
    expect(await orm.em.fork().count(Account, { tenant: 'paged', score: { $lt: 50 } })).toBe(50);
  });

  it('runs aggregations', async () => {
    const em = orm.em.fork();
    em.persist([account('ag1@x.io', 'agg', 5, ['x', 'y']), account('ag2@x.io', 'agg', 7, ['y']), account('ag3@x.io', 'agg2', 1)]);
    await em.flush();
    const res = await orm.em.fork().aggregate(Account, [
      { $match: { tenant: { $in: ['agg', 'agg2'] } } },
      { $unwind: { path: '$tags', preserveNullAndEmptyArrays: true } },
      { $group: { _id: '$tenant', total: { $sum: '$score' }, tags: { $addToSet: '$tags' } } },
      { $sort: { _id: 1 } },
    ]);
    expect(res.map((r: { _id: string; total: number; tags: string[] }) => [r._id, r.total, [...r.tags].sort()])).toEqual([
      ['agg', 17, ['x', 'y']],
      ['agg2', 1, []],
    ]);
  });

  it('upserts and updates natively, including arrayFilters through the driver', async () => {
    const em = orm.em.fork();
    const up = await em.upsert(Account, { email: 'ups@x.io', tenant: 'u', score: 1, createdAt: new Date() });
    expect(up.id).toMatch(/^[0-9a-f]{24}$/);
    const up2 = await orm.em.fork().upsert(Account, { email: 'ups@x.io', tenant: 'u', score: 2, createdAt: new Date() });
    expect(up2.id).toBe(up.id);
    expect(await orm.em.fork().nativeUpdate(Account, { tenant: 'u' }, { score: 9 })).toBe(1);
    const coll = orm.em.getConnection().getCollection<{ email: string; tags: string[] }>('orm_accounts');
    await coll.updateOne({ email: 'ups@x.io' }, { $set: { tags: ['a', 'b', 'c'] } });
    await coll.updateOne({ email: 'ups@x.io' }, { $set: { 'tags.$[t]': 'B' } }, { arrayFilters: [{ t: 'b' }] });
    const got = await orm.em.fork().findOneOrFail(Account, { email: 'ups@x.io' });
    expect([got.score, got.tags]).toEqual([9, ['a', 'B', 'c']]);
    expect(await orm.em.fork().nativeDelete(Account, { tenant: 'u' })).toBe(1);
  });

  it('searches the fulltext index', async () => {
    const em = orm.em.fork();
    em.persist([Object.assign(new Post(), { title: 'Banana bread', body: 'banana walnut' }), Object.assign(new Post(), { title: 'Kiwi', body: 'walnut free' })]);
    await em.flush();
    const found = await orm.em.fork().find(Post, { $fulltext: 'banana' } as never);
    expect(found.map((p) => p.title)).toEqual(['Banana bread']);
    const both = await orm.em.fork().find(Post, { $fulltext: 'walnut' } as never);
    expect(both).toHaveLength(2);
  });

  it('expires TTL documents declared through entity index options', async () => {
    const em = orm.em.fork();
    em.persist([
      Object.assign(new Token(), { value: 'old', expiresAt: new Date(Date.now() - 1000) }),
      Object.assign(new Token(), { value: 'new', expiresAt: new Date(Date.now() + 3_600_000) }),
    ]);
    await em.flush();
    const gone = await waitFor(async () => (await orm.em.fork().count(Token, { value: 'old' })) === 0, target.embedded ? 10_000 : 90_000, 200);
    expect(gone).toBe(true);
    expect(await orm.em.fork().count(Token, {})).toBe(1);
  });
});
