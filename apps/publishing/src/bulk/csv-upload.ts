import type { FastifyRequest } from 'fastify';
import { DomainError } from '@lib/contracts';
import { BulkErrors } from './bulk.errors';

const invalid = (message: string) => new DomainError(BulkErrors.csvInvalid, 'The import takes one CSV file', { errors: [{ field: 'file', messages: [message] }] });

const tooLarge = (maxBytes: number) => new DomainError(BulkErrors.fileTooLarge, 'CSV file too large', { detail: `An import file may be at most ${maxBytes} bytes`, limitBytes: maxBytes });

/**
 * The CSV of a multipart/form-data import (what a browser's file input sends): the part named
 * `file`, read as UTF-8, at most `maxBytes` (BULK_IMPORT_MAX_BYTES, as for a text/csv body).
 * Anything else in the form is refused, by name.
 */
export async function csvFromForm(req: FastifyRequest, maxBytes: number): Promise<string> {
  let csv: string | null = null;
  try {
    for await (const part of req.parts({ limits: { fileSize: maxBytes, files: 1, fields: 10 } })) {
      if (part.type !== 'file') throw invalid(`unexpected form field \`${part.fieldname}\`: options go in the query string (mode, dryRun)`);
      if (part.fieldname !== 'file') throw invalid('send the CSV in a part named `file`');
      csv = (await part.toBuffer()).toString('utf8');
    }
  } catch (err) {
    switch ((err as { code?: string }).code) {
      case 'FST_REQ_FILE_TOO_LARGE':
        throw tooLarge(maxBytes);
      case 'FST_FILES_LIMIT':
        throw invalid('send exactly one file');
      case 'FST_FIELDS_LIMIT':
      case 'FST_PARTS_LIMIT':
        throw invalid('the form takes the file only: options go in the query string (mode, dryRun)');
      default:
        if (/multipart|boundary|terminated early|unexpected end/i.test((err as Error)?.message ?? '')) throw invalid(`malformed multipart/form-data (${(err as Error).message})`);
        throw err;
    }
  }
  if (csv === null) throw invalid('a part named `file` with the CSV is required');
  return csv;
}
