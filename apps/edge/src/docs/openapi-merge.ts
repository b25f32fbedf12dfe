/** Minimal OpenAPI 3 shapes the merge touches. */
export interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, { tags?: string[] } & Record<string, unknown>>>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string; description?: string }[];
  [extra: string]: unknown;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * One public document from the services' own: paths side by side (each operation tagged with
 * its service), schemas merged, and a schema name used differently by two services renamed to
 * `<Service><Name>` in the later one, with its references rewritten.
 */
export function mergeOpenApi(
  parts: { service: string; doc: OpenApiDoc }[],
  base: Pick<OpenApiDoc, 'info' | 'paths'>,
  unavailable: string[] = [],
): OpenApiDoc {
  const merged: OpenApiDoc = {
    openapi: '3.0.0',
    info: base.info,
    paths: { ...base.paths },
    components: {
      schemas: {},
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    security: [{ bearer: [] }],
    tags: [],
  };
  const schemas = merged.components!.schemas!;
  for (const { service, doc } of parts) {
    const prefix = service[0].toUpperCase() + service.slice(1);
    const renames = new Map<string, string>();
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) {
      if (schemas[name] !== undefined && JSON.stringify(schemas[name]) !== JSON.stringify(schema)) renames.set(name, `${prefix}${name}`);
    }
    let text = JSON.stringify({ paths: doc.paths, schemas: doc.components?.schemas ?? {} });
    for (const [from, to] of renames) text = text.split(`"#/components/schemas/${from}"`).join(`"#/components/schemas/${to}"`);
    const part = JSON.parse(text) as { paths: OpenApiDoc['paths']; schemas: Record<string, unknown> };
    for (const [name, schema] of Object.entries(part.schemas)) schemas[renames.get(name) ?? name] = schema;
    for (const [path, item] of Object.entries(part.paths)) {
      const target = (merged.paths[path] ??= {});
      for (const [method, op] of Object.entries(item)) {
        if (METHODS.has(method) && target[method] === undefined) target[method] = { ...op, tags: op.tags?.length ? op.tags : [service] };
      }
    }
    merged.tags!.push({ name: service, description: `Served by the ${service} service` });
  }
  if (unavailable.length) merged['x-unavailable-services'] = unavailable;
  return merged;
}
