import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { getAbsoluteFSPath } from 'swagger-ui-dist';
import { OPENAPI_PATH } from '@lib/service-kit';
import type { UpstreamName } from '../config/edge.config';
import type { Upstreams } from '../proxy/upstreams';
import { mergeOpenApi, type OpenApiDoc } from './openapi-merge';

const CACHE_MS = 30_000;
const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png']);
const DOCS_CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

/** The edge's own routes, documented by hand since they are not Nest controllers. */
const EDGE_PATHS: OpenApiDoc['paths'] = {
  '/api/v1/events': {
    get: {
      tags: ['edge'],
      summary: "Server-sent events of the caller's workspace",
      description: 'text/event-stream; each event has `id` (the event id), `event` (its type) and `data` (JSON). Reconnect with `Last-Event-ID` to receive missed events.',
      parameters: [{ name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }],
      responses: { '200': { description: 'An open event stream', content: { 'text/event-stream': {} } }, '401': { description: 'No or invalid bearer token' } },
    },
  },
};

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Social platform API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script><script src="/api/docs/init.js"></script></body></html>`;
const INIT = "window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#ui', deepLinking: true });";

/** GET /api/openapi.json (merged from every service) and GET /api/docs (Swagger UI). */
export function docsPlugin(upstreams: Upstreams, names: UpstreamName[], logger: Logger) {
  let cached: { at: number; doc: OpenApiDoc } | undefined;

  async function fetchDoc(name: UpstreamName): Promise<OpenApiDoc> {
    const res = await upstreams.get(name).request({ method: 'GET', path: OPENAPI_PATH, headers: { accept: 'application/json' } });
    const body = Buffer.isBuffer(res.body) ? res.body : Buffer.concat(await res.body.toArray());
    if (res.statusCode !== 200) throw new Error(`${name} answered ${res.statusCode}`);
    return JSON.parse(body.toString('utf8')) as OpenApiDoc;
  }

  async function merged(): Promise<OpenApiDoc> {
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.doc;
    const results = await Promise.allSettled(names.map(async (service) => ({ service, doc: await fetchDoc(service) })));
    const parts = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    const unavailable = names.filter((_, i) => results[i].status === 'rejected');
    if (unavailable.length) logger.warn({ unavailable }, 'openapi: some services did not answer; their paths are missing');
    const doc = mergeOpenApi(parts, { info: { title: 'Social platform API', version: 'v1', description: 'REST under /api/v1. Errors are RFC 9457 problem+json with a stable `code`.' }, paths: EDGE_PATHS }, unavailable);
    // Only complete documents are cached, so a service that comes back appears at once.
    if (!unavailable.length) cached = { at: Date.now(), doc };
    return doc;
  }

  return async (fastify: FastifyInstance): Promise<void> => {
    const dist = getAbsoluteFSPath();
    fastify.get('/api/openapi.json', async () => merged());
    fastify.get('/api/docs', (_req, reply) => void reply.header('content-security-policy', DOCS_CSP).type('text/html; charset=utf-8').send(PAGE));
    fastify.get('/api/docs/init.js', (_req, reply) => void reply.type('application/javascript').send(INIT));
    fastify.get<{ Params: { file: string } }>('/api/docs/:file', (req, reply) => {
      if (!ASSETS.has(req.params.file)) return void reply.status(404).send();
      const type = req.params.file.endsWith('.css') ? 'text/css' : req.params.file.endsWith('.png') ? 'image/png' : 'application/javascript';
      void reply.header('cache-control', 'public, max-age=86400').type(type).send(fs.createReadStream(path.join(dist, req.params.file)));
    });
  };
}
