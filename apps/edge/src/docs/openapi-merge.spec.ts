import { mergeOpenApi, type OpenApiDoc } from './openapi-merge';

const doc = (paths: OpenApiDoc['paths'], schemas: Record<string, unknown>): OpenApiDoc => ({
  openapi: '3.0.0',
  info: { title: 't', version: '1' },
  paths,
  components: { schemas },
});

describe('mergeOpenApi', () => {
  it('puts every service’s paths side by side, tagged with the service', () => {
    const merged = mergeOpenApi(
      [
        { service: 'auth', doc: doc({ '/api/v1/me': { get: { operationId: 'me' } } }, {}) },
        { service: 'publishing', doc: doc({ '/api/v1/posts': { get: { operationId: 'list', tags: ['Posts'] }, post: { operationId: 'create' } } }, {}) },
      ],
      { info: { title: 'API', version: 'v1' }, paths: { '/api/v1/events': { get: { operationId: 'events', tags: ['edge'] } } } },
    );
    expect(Object.keys(merged.paths).sort()).toEqual(['/api/v1/events', '/api/v1/me', '/api/v1/posts']);
    expect(merged.paths['/api/v1/me'].get.tags).toEqual(['auth']);
    expect(merged.paths['/api/v1/posts'].get.tags).toEqual(['Posts']);
    expect(merged.paths['/api/v1/posts'].post.tags).toEqual(['publishing']);
    expect(merged.tags!.map((t) => t.name)).toEqual(['auth', 'publishing']);
  });

  it('renames a schema two services define differently and rewrites the references', () => {
    const ref = (name: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } });
    const merged = mergeOpenApi(
      [
        { service: 'auth', doc: doc({ '/api/v1/users': { post: { requestBody: ref('CreateRequest') } } }, { CreateRequest: { type: 'object', properties: { email: {} } }, Shared: { type: 'string' } }) },
        { service: 'inbox', doc: doc({ '/api/v1/messages': { post: { requestBody: ref('CreateRequest') } } }, { CreateRequest: { type: 'object', properties: { text: {} } }, Shared: { type: 'string' } }) },
      ],
      { info: { title: 'API', version: 'v1' }, paths: {} },
      ['ai'],
    );
    const schemas = merged.components!.schemas!;
    expect(Object.keys(schemas).sort()).toEqual(['CreateRequest', 'InboxCreateRequest', 'Shared']);
    expect(schemas.InboxCreateRequest).toEqual({ type: 'object', properties: { text: {} } });
    expect(JSON.stringify(merged.paths['/api/v1/messages'])).toContain('#/components/schemas/InboxCreateRequest');
    expect(JSON.stringify(merged.paths['/api/v1/users'])).toContain('#/components/schemas/CreateRequest"');
    expect(merged['x-unavailable-services']).toEqual(['ai']);
  });
});
