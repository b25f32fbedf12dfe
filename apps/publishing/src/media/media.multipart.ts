import fastifyMultipart from '@fastify/multipart';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { DomainError, ErrorCodes } from '@lib/contracts';
import { fieldError, tooLarge } from './media.errors';
import type { MediaConfig } from './media.config';
import type { UploadPart } from './media.service';

/**
 * multipart/form-data for uploads. Only routes that ask for parts read them (JSON routes keep
 * Fastify's own parser); the parser's file cap is the service-wide maximum, plans cap lower.
 */
export async function registerMultipart(app: NestFastifyApplication, config: MediaConfig): Promise<void> {
  await app.register(fastifyMultipart, {
    throwFileSizeLimit: true,
    limits: { fileSize: config.maxUploadBytes, files: 1, fields: 20, fieldSize: 16 * 1024, fieldNameSize: 100, parts: 21, headerPairs: 100 },
  });
}

/** The request's parts, with the parser's errors turned into problems that name the field. */
export async function* uploadParts(req: FastifyRequest, maxUploadBytes: number): AsyncGenerator<UploadPart> {
  if (!req.isMultipart()) throw fieldError('file', ['send multipart/form-data with the file in a part named `file`']);
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        yield { kind: 'file', name: part.fieldname, filename: part.filename, stream: part.file };
      } else {
        const value = part.value;
        const values = Array.isArray(value) ? value.map(String) : [typeof value === 'string' ? value : JSON.stringify(value)];
        yield { kind: 'field', name: part.fieldname, values, truncated: part.valueTruncated || part.fieldnameTruncated };
      }
    }
  } catch (err) {
    throw translate(err, maxUploadBytes);
  }
}

function translate(err: unknown, maxUploadBytes: number): unknown {
  const fault = formFault(err);
  if (!fault) return err;
  if (fault.kind === 'too-large') return tooLarge(maxUploadBytes, null);
  return fieldError(fault.kind === 'files' ? 'file' : 'body', [fault.message]);
}

export type FormFault = { kind: 'too-large' } | { kind: 'files' | 'fields' | 'form'; message: string };

/**
 * What the multipart parser refused (by its error codes), in words for the client: a file over
 * the limit, too many files, too many fields, or a malformed form. Null for any other error.
 */
export function formFault(err: unknown): FormFault | null {
  switch ((err as { code?: string }).code ?? '') {
    case 'FST_REQ_FILE_TOO_LARGE':
      return { kind: 'too-large' };
    case 'FST_FILES_LIMIT':
      return { kind: 'files', message: 'send exactly one file' };
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return { kind: 'fields', message: 'too many form fields' };
    case 'FST_PROTO_VIOLATION':
      return { kind: 'form', message: 'invalid form field name' };
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return { kind: 'form', message: 'a form field declared as JSON is not valid JSON' };
    default:
      break;
  }
  const message = (err as Error)?.message ?? '';
  return /multipart|boundary|terminated early|unexpected end/i.test(message) ? { kind: 'form', message: `malformed multipart/form-data (${message})` } : null;
}

/** How long the rest of a refused upload is read and dropped before the connection is cut. */
const LINGER_MS = 5_000;

/**
 * Runs an upload. When it fails before the request body was read to the end (the file passed
 * the limit, the form was refused early), the answer goes out at once and the rest of the body
 * is read and dropped for a few seconds, then the connection is cut: closing at once would
 * reset the connection under a client still sending, which then never sees the answer (HTTP
 * clients such as undici/fetch, curl and browsers read an early answer and stop sending).
 */
export async function answeringEarly<T>(req: FastifyRequest, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (req.raw.complete) throw err;
    // The client (or the edge on its behalf) went away mid-body: nobody waits for an answer.
    if (req.raw.destroyed) throw new DomainError(ErrorCodes.validation, 'Upload interrupted', { detail: 'The connection closed before the whole file arrived' });
    discardRest(req.raw, LINGER_MS);
    throw err;
  }
}

function discardRest(raw: FastifyRequest['raw'], lingerMs: number): void {
  raw.unpipe();
  raw.resume();
  const timer = setTimeout(() => raw.socket?.destroy(), lingerMs);
  timer.unref();
  const done = () => clearTimeout(timer);
  raw.once('end', done);
  raw.once('close', done);
}
