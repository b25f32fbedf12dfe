import type { EntityManager } from '@mikro-orm/postgresql';
import { DomainError } from '@lib/contracts';
import { strictMock } from '@lib/testing';
import type { PublishingConfig } from '../config/publishing.config';
import { DEFAULT_BULK_CONFIG } from './bulk.config';
import { PostImport } from './post-import.entity';
import { PostImportsService } from './post-imports.service';
import type { PostImportsWorker } from './post-imports.worker';

const actor = { userId: '0193f0a0-0000-7000-8000-00000000000a', workspaceId: '0193f0a0-0000-7000-8000-000000000001', conditions: null };
const grants = { createPlatforms: null, publish: null, role: 'EDITOR' as const, mediaCreate: true };
const config = strictMock<PublishingConfig>({ bulk: { ...DEFAULT_BULK_CONFIG, maxRows: 3 } }, 'config');

function setup(unfinished = 0) {
  const persist = jest.fn();
  const flush = jest.fn(async () => undefined);
  const count = jest.fn(async () => unfinished);
  const fork = strictMock<EntityManager>({ count, persist, flush }, 'fork');
  const kick = jest.fn();
  const sut = new PostImportsService(strictMock<EntityManager>({ fork: () => fork }, 'em'), strictMock<PostImportsWorker>({ kick }, 'worker'), config);
  return { sut, persist, flush, kick, count };
}

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err: unknown = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(err)}`);
  return err;
}

describe('PostImportsService.start', () => {
  it('stores the file and its grants as a QUEUED import and wakes the worker', async () => {
    const { sut, persist, flush, kick } = setup();
    const csv = 'text,networks\na,TWITTER\nb,LINKEDIN\n';
    const res = await sut.start(actor, grants, csv, { mode: 'valid-only' });
    expect(res).toMatchObject({ status: 'QUEUED', mode: 'valid-only', dryRun: false, total: 2, processed: 0, percent: 0, createdBy: actor.userId });
    const stored = persist.mock.calls[0][0] as PostImport;
    expect(stored).toBeInstanceOf(PostImport);
    expect(stored).toMatchObject({ workspaceId: actor.workspaceId, source: csv, grants, total: 2 });
    expect(flush).toHaveBeenCalledTimes(1);
    expect(kick).toHaveBeenCalledTimes(1);
  });

  it('refuses a broken file, a non-CSV body and too many rows before touching the database', async () => {
    // The strict mocks fail on any database or worker call: nothing may be stored.
    const sut = new PostImportsService(strictMock<EntityManager>({}, 'em'), strictMock<PostImportsWorker>({}, 'worker'), config);
    const broken = await refusal(sut.start(actor, grants, 'text\n"never closed\n', {}));
    expect(broken).toMatchObject({ code: 'PUBLISHING.IMPORT_CSV_INVALID', details: expect.objectContaining({ line: 2 }) });
    const json = await refusal(sut.start(actor, grants, { text: 'hi' }, {}));
    expect(json.code).toBe('PUBLISHING.IMPORT_CSV_INVALID');
    const unknown = await refusal(sut.start(actor, grants, 'text,colour\nx,red\n', {}));
    expect(unknown.details?.errors).toEqual([{ field: 'colour', messages: [expect.stringContaining('unknown column')] }]);
    const big = await refusal(sut.start(actor, grants, 'text\na\nb\nc\nd\n', {}));
    expect(big.code).toBe('PUBLISHING.IMPORT_ROWS_LIMIT_REACHED');
  });

  it('refuses a new import while the workspace has too many running, storing nothing', async () => {
    const { sut, persist, kick } = setup(3);
    const err = await refusal(sut.start(actor, grants, 'text\na\n', {}));
    expect(err.code).toBe('PUBLISHING.IMPORTS_LIMIT_REACHED');
    expect(persist).not.toHaveBeenCalled();
    expect(kick).not.toHaveBeenCalled();
  });
});
