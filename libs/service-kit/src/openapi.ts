import type { INestApplication } from '@nestjs/common';
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
  // Operational routes are not part of the public API.
  for (const path of Object.keys(doc.paths)) {
    if (!path.startsWith('/api/')) delete doc.paths[path];
  }
  return doc;
}
