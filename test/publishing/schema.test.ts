import { MikroORM } from '@mikro-orm/core';
import type { PostgreSqlDriver } from '@mikro-orm/postgresql';
import pg from 'pg';
import { runMigrations } from '@lib/persistence';
import { createTestDatabase, testStack } from '@lib/testing';
import { publishingOrmOptions } from '../../apps/publishing/src/orm.config';

// The data-model contract (SCHEMA.md) for the tables publishing owns: names, camelCase
// columns, types (every DateTime a timestamptz), nullability, indexes and uniques.
type Col = [type: string, nullable: boolean];
const S = (n = false): Col => ['text', n];
const U = (n = false): Col => ['uuid', n];
const J = (n = false): Col => ['jsonb', n];
const T = (n = false): Col => ['timestamptz', n];
const E = (name: string): Col => [`enum:${name}`, false];
const B: Col = ['boolean', false];
const I = (n = false): Col => ['integer', n];
const A: Col = ['text[]', false];

const TABLES: Record<string, Record<string, Col>> = {
  social_accounts: {
    id: U(), workspaceId: U(), platform: E('platform'), platformAccountId: S(), username: S(), displayName: S(), avatar: S(true),
    accessToken: S(), refreshToken: S(true), tokenExpiry: T(true), isActive: B, metadata: J(), createdAt: T(), updatedAt: T(),
  },
  posts: {
    id: U(), workspaceId: U(), authorId: U(), content: J(), status: E('post_status'), scheduledAt: T(true), publishedAt: T(true),
    campaignId: U(true), tags: A, aiGenerated: B, aiMetadata: J(true), createdAt: T(), updatedAt: T(),
  },
  platform_posts: {
    id: U(), postId: U(), accountId: U(), platform: E('platform'), customContent: J(true), platformPostId: S(true),
    publishStatus: E('publish_status'), error: S(true), publishedAt: T(true),
  },
  media_assets: {
    id: U(), workspaceId: U(), type: E('media_type'), url: S(), thumbnailUrl: S(true), filename: S(), size: I(), dimensions: J(true),
    duration: I(true), metadata: J(), tags: A, folder: S(true), createdAt: T(), updatedAt: T(),
  },
  post_media: { postId: U(), mediaId: U(), order: I() },
  campaigns: {
    id: U(), workspaceId: U(), name: S(), description: S(true), startDate: T(), endDate: T(), goals: J(), budget: ['double', true],
    tags: A, utmParams: J(), status: E('campaign_status'), createdAt: T(), updatedAt: T(),
  },
  workflows: {
    id: U(), workspaceId: U(), name: S(), description: S(true), type: E('workflow_type'), config: J(), isActive: B, createdAt: T(), updatedAt: T(),
  },
  approvals: {
    id: U(), postId: U(), approverId: U(), status: E('approval_status'), comments: S(true), level: I(), approvedAt: T(true), createdAt: T(),
  },
};

const INDEXES: Record<string, string[][]> = {
  social_accounts: [['workspaceId'], ['platform'], ['isActive']],
  posts: [['workspaceId'], ['authorId'], ['status'], ['scheduledAt'], ['publishedAt'], ['campaignId'], ['workspaceId', 'status', 'scheduledAt'], ['workspaceId', 'createdAt']],
  platform_posts: [['postId'], ['accountId'], ['publishStatus'], ['platform', 'publishStatus']],
  media_assets: [['workspaceId'], ['type'], ['folder'], ['workspaceId', 'createdAt']],
  campaigns: [['workspaceId'], ['status'], ['workspaceId', 'startDate'], ['workspaceId', 'status']],
  workflows: [['workspaceId'], ['workspaceId', 'type', 'isActive']],
  approvals: [['postId'], ['approverId'], ['postId', 'status'], ['approverId', 'status']],
};

function normalise(dataType: string, udt: string): string {
  if (dataType === 'USER-DEFINED') return `enum:${udt}`;
  if (dataType === 'ARRAY') return `${udt.replace(/^_/, '')}[]`;
  if (dataType === 'character varying' || dataType === 'text') return 'text';
  if (dataType === 'timestamp with time zone') return 'timestamptz';
  if (dataType === 'double precision') return 'double';
  return dataType;
}

describe('publishing schema matches the data-model contract', () => {
  const { pgUrl } = testStack();
  let client: pg.Client;
  let url: string;

  beforeAll(async () => {
    url = await createTestDatabase(pgUrl, 'pub_schema');
    await runMigrations(publishingOrmOptions(url));
    client = new pg.Client({ connectionString: url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
  });

  it.each(Object.keys(TABLES))('%s has exactly the contract columns, types and nullability', async (table) => {
    const { rows } = await client.query<{ column_name: string; data_type: string; udt_name: string; is_nullable: string }>(
      `select column_name, data_type, udt_name, is_nullable from information_schema.columns where table_schema = 'public' and table_name = $1`,
      [table],
    );
    const actual = Object.fromEntries(rows.map((r) => [r.column_name, [normalise(r.data_type, r.udt_name), r.is_nullable === 'YES']]));
    expect(actual).toEqual(TABLES[table]);
  });

  it('has every index and unique the contract lists', async () => {
    const { rows } = await client.query<{ tablename: string; indexdef: string }>(`select tablename, indexdef from pg_indexes where schemaname = 'public'`);
    const columnsOf = (def: string) => /\((.*)\)/.exec(def)![1].split(',').map((c) => c.trim().replace(/"/g, ''));
    for (const [table, wanted] of Object.entries(INDEXES)) {
      const have = rows.filter((r) => r.tablename === table).map((r) => columnsOf(r.indexdef).join(','));
      for (const cols of wanted) expect([table, have]).toEqual([table, expect.arrayContaining([cols.join(',')])]);
    }
    const unique = rows.find((r) => r.tablename === 'social_accounts' && r.indexdef.startsWith('CREATE UNIQUE') && r.indexdef.includes('platformAccountId'));
    expect(columnsOf(unique!.indexdef)).toEqual(['workspaceId', 'platform', 'platformAccountId']);
    const pm = rows.find((r) => r.tablename === 'post_media' && r.indexdef.includes('pkey'));
    expect(columnsOf(pm!.indexdef)).toEqual(['postId', 'mediaId']);
  });

  it('has migrations that build exactly what the entities describe (nothing left for a new migration)', async () => {
    const orm = await MikroORM.init<PostgreSqlDriver>(publishingOrmOptions(url));
    try {
      expect(await orm.schema.getUpdateSchemaSQL({ wrap: false, safe: false })).toBe('');
    } finally {
      await orm.close(true);
    }
  });
});
