import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import { DomainError } from '@lib/contracts';
import type { OutboxWriter } from '@lib/messaging';
import { strictMock } from '@lib/testing';
import type { Actor } from '../posts/posts.service';
import type { MediaAsset } from './media-asset.entity';
import type { Inspection, MediaInspector } from './media-inspector';
import type { MediaLimits } from './media-limits';
import type { MediaStorage } from './media-storage';
import { MEDIA_PLAN_LIMITS, type MediaConfig } from './media.config';
import { MediaService, type UploadPart } from './media.service';

const actor: Actor = { userId: '0193f0a0-0000-7000-8000-0000000000u1', workspaceId: '0193f0a0-0000-7000-8000-000000000001', conditions: null };
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 1)]);
const inspection: Inspection = { dimensions: { width: 64, height: 48 }, duration: null, thumbnail: { data: Buffer.from('webp'), width: 64, height: 48 }, facts: {} };

async function* form(file: Buffer, fields: Record<string, string> = {}): AsyncGenerator<UploadPart> {
  for (const [name, value] of Object.entries(fields)) yield { kind: 'field', name, values: [value], truncated: false };
  yield { kind: 'file', name: 'file', filename: 'pic.png', stream: Readable.from([file]) };
}

function setup(opts: { put?: jest.Mock; flush?: jest.Mock; limit?: number } = {}) {
  const tmpDir = mkdtempSync(path.join(os.tmpdir(), 'media-svc-'));
  const put = opts.put ?? jest.fn().mockImplementation(async (_key: string, body: Readable) => void (await body.toArray()));
  const del = jest.fn().mockResolvedValue(undefined);
  const persist = jest.fn();
  const flush = opts.flush ?? jest.fn().mockResolvedValue(undefined);
  const fork = strictMock<EntityManager>({ persist, flush }, 'em.fork');
  const em = strictMock<EntityManager>({ fork: jest.fn(() => fork) }, 'em');
  const stage = jest.fn();
  const storage = strictMock<MediaStorage>({ put, delete: del }, 'storage');
  const inspector = strictMock<MediaInspector>({ inspect: jest.fn().mockResolvedValue(inspection) }, 'inspector');
  const limits = strictMock<MediaLimits>({ forWorkspace: jest.fn().mockResolvedValue({ bytes: opts.limit ?? 1_000_000, plan: 'STARTER' }) }, 'limits');
  const config: MediaConfig = { storage: { kind: 'local', dir: tmpDir }, tmpDir, maxUploadBytes: 1_000_000, planLimits: MEDIA_PLAN_LIMITS, publicBaseUrl: null, ffmpegPath: null };
  const logger = strictMock<Logger>({ warn: jest.fn() }, 'logger');
  const sut = new MediaService(em, strictMock<OutboxWriter>({ stage }, 'outbox'), storage, inspector, limits, config, logger);
  return { sut, put, del, persist, flush, stage, tmpDir, cleanup: () => rmSync(tmpDir, { recursive: true, force: true }) };
}

describe('MediaService.upload', () => {
  it('stores the original and thumbnail under id-built keys, then writes the row with its audit entry', async () => {
    const t = setup();
    try {
      const res = await t.sut.upload(actor, form(PNG, { folder: 'a/b', tags: 'x, y' }));
      const keys = t.put.mock.calls.map((c) => c[0]);
      expect(keys).toEqual([`${actor.workspaceId}/${res.id}/original`, `${actor.workspaceId}/${res.id}/thumbnail.webp`]);
      expect(t.put.mock.calls.map((c) => c[2])).toEqual([{ contentType: 'image/png', size: PNG.length }, { contentType: 'image/webp', size: 4 }]);
      const row = t.persist.mock.calls[0][0] as MediaAsset;
      expect(row).toMatchObject({ id: res.id, type: 'IMAGE', folder: 'a/b', tags: ['x', 'y'], size: PNG.length, metadata: { mimeType: 'image/png', uploadedBy: actor.userId } });
      expect(t.stage.mock.calls[0][2]).toMatchObject({ action: 'media.uploaded', resourceType: 'media_asset', resourceId: res.id });
      expect(t.flush).toHaveBeenCalledTimes(1);
      expect(readdirSync(t.tmpDir)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('removes the stored original when the thumbnail cannot be stored, and writes no row', async () => {
    const put = jest.fn().mockImplementationOnce(async (_k: string, body: Readable) => void (await body.toArray())).mockRejectedValueOnce(new Error('disk full'));
    const t = setup({ put });
    try {
      await expect(t.sut.upload(actor, form(PNG))).rejects.toThrow('disk full');
      expect(t.del.mock.calls.map((c) => c[0])).toEqual([put.mock.calls[0][0]]);
      expect(t.persist).not.toHaveBeenCalled();
      expect(readdirSync(t.tmpDir)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('removes both stored files when the row cannot be written', async () => {
    const t = setup({ flush: jest.fn().mockRejectedValue(new Error('db down')) });
    try {
      await expect(t.sut.upload(actor, form(PNG))).rejects.toThrow('db down');
      expect(t.del.mock.calls.map((c) => c[0]).sort()).toEqual(t.put.mock.calls.map((c) => c[0]).sort());
      expect(readdirSync(t.tmpDir)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('refuses a file over the limit naming the limit and plan, before storing anything', async () => {
    const t = setup({ limit: 100 });
    try {
      const err = await t.sut.upload(actor, form(PNG)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DomainError);
      expect(err).toMatchObject({ code: 'PUBLISHING.MEDIA_SIZE_LIMIT_REACHED', details: { limitBytes: 100, plan: 'STARTER' } });
      expect(t.put).not.toHaveBeenCalled();
      expect(readdirSync(t.tmpDir)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('refuses a bad form before reading the file, naming every field', async () => {
    const t = setup();
    try {
      const err = await t.sut.upload(actor, form(PNG, { folder: '../up', colour: 'red' })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'COMMON.VALIDATION_FAILED' });
      expect((err as DomainError).details?.errors).toEqual([
        { field: 'colour', messages: ['property colour should not exist'] },
        { field: 'folder', messages: ['folder must not contain . or .. segments'] },
      ]);
      expect(t.put).not.toHaveBeenCalled();
      expect(readdirSync(t.tmpDir)).toEqual([]);
    } finally {
      t.cleanup();
    }
  });
});
