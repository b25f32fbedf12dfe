import type { FastifyRequest } from 'fastify';
import { DomainError } from '@lib/contracts';
import { formFault } from '../media/media.multipart';
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
    const fault = formFault(err);
    if (!fault) throw err;
    if (fault.kind === 'too-large') throw tooLarge(maxBytes);
    throw invalid(fault.kind === 'fields' ? 'the form takes the file only: options go in the query string (mode, dryRun)' : fault.message);
  }
  if (csv === null) throw invalid('a part named `file` with the CSV is required');
  return csv;
}
