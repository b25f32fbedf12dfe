import type { INestApplication } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';

export const OPENAPI_PATH = '/internal/openapi.json';

type Schema = Record<string, unknown>;

/**
 * The service's OpenAPI 3 document, from its controllers and DTOs. Request and response
 * schemas come from the DTOs' class-validator decorators, so a DTO is written once and needs
 * no second set of documentation decorators.
 */
export function buildOpenApi(app: INestApplication, service: string, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(`${service} service`)
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addSecurityRequirements('bearer')
    .build();
  const doc = SwaggerModule.createDocument(app, config);
  const fromValidators = validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/' }) as Record<string, Schema>;
  const schemas = (doc.components ??= {}).schemas ?? {};
  for (const [name, schema] of Object.entries(schemas)) {
    const s = schema as Schema;
    const empty = !s.properties || Object.keys(s.properties as object).length === 0;
    if (empty && fromValidators[name]) schemas[name] = fromValidators[name];
  }
  doc.components.schemas = schemas;
  addQueryParameters(app, doc, fromValidators);
  // Operational routes are not part of the public API.
  for (const path of Object.keys(doc.paths)) {
    if (!path.startsWith('/api/')) delete doc.paths[path];
  }
  return doc;
}

type Operation = { operationId?: string; parameters?: { name: string; in: string }[] };

/**
 * Query DTOs (`@Query() q: ListThingsRequest`) become one query parameter per validated
 * property, with its schema and whether it is required, so filters and pagination are
 * documented from the same class that validates them.
 */
function addQueryParameters(app: INestApplication, doc: OpenAPIObject, fromValidators: Record<string, Schema>): void {
  const queryDtos = new Map<string, Schema>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, { index: number; data?: unknown }>;
        const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? []) as ({ name: string } | undefined)[];
        for (const [key, arg] of Object.entries(args)) {
          if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY || arg.data !== undefined) continue;
          const dto = types[arg.index];
          const schema = dto ? fromValidators[dto.name] : undefined;
          if (schema) queryDtos.set(`${controller.name}_${method}`, schema);
        }
      }
    }
  }
  for (const item of Object.values(doc.paths)) {
    for (const op of Object.values(item) as Operation[]) {
      const schema = op?.operationId ? queryDtos.get(op.operationId) : undefined;
      if (!schema) continue;
      const required = new Set((schema.required as string[] | undefined) ?? []);
      const existing = new Set((op.parameters ?? []).map((p) => `${p.in}:${p.name}`));
      const params = Object.entries((schema.properties ?? {}) as Record<string, Schema>)
        .filter(([name]) => !existing.has(`query:${name}`))
        .map(([name, prop]) => ({ name, in: 'query', required: required.has(name), schema: prop, ...(prop.description ? { description: prop.description } : {}) }));
      op.parameters = [...(op.parameters ?? []), ...params];
    }
  }
}
