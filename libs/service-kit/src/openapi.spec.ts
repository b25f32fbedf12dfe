import { Body, Controller, Get, Module, Post, Query } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { IsEmail, IsInt, IsOptional, IsString, Max, MinLength } from 'class-validator';
import { buildOpenApi } from './openapi';

class CreateThingRequest {
  /** The owner's address. */
  @IsEmail()
  email!: string;

  @IsString()
  @MinLength(3)
  name!: string;

  @IsOptional()
  @IsInt()
  @Max(100)
  limit?: number;
}

class PageQuery {
  @IsOptional()
  @IsInt()
  @Max(100)
  limit?: number;
}

class ListThingsQuery extends PageQuery {
  @IsOptional()
  @IsString()
  name?: string;

  @IsEmail()
  owner!: string;
}

@Controller('api/v1/things')
class ThingsController {
  @Get()
  list(@Query() q: ListThingsQuery): ListThingsQuery {
    return q;
  }

  @Post()
  create(@Body() body: CreateThingRequest): CreateThingRequest {
    return body;
  }
}

@Controller()
class OpsController {
  @Get('health/live')
  live(): string {
    return 'ok';
  }
}

@Module({ controllers: [ThingsController, OpsController] })
class TestModule {}

describe('buildOpenApi', () => {
  it('documents API routes with request schemas taken from the DTOs’ validators, and leaves operational routes out', async () => {
    const app = await NestFactory.create(TestModule, new FastifyAdapter(), { logger: false });
    try {
      const doc = buildOpenApi(app, 'things', 'v1');
      expect(Object.keys(doc.paths)).toEqual(['/api/v1/things']);
      const body = doc.paths['/api/v1/things'].post!.requestBody as { content: Record<string, { schema: { $ref: string } }> };
      expect(body.content['application/json'].schema.$ref).toBe('#/components/schemas/CreateThingRequest');
      const schema = doc.components!.schemas!.CreateThingRequest as { properties: Record<string, Record<string, unknown>>; required: string[] };
      expect(schema.properties.email).toMatchObject({ type: 'string', format: 'email' });
      expect(schema.properties.name).toMatchObject({ type: 'string', minLength: 3 });
      expect(schema.properties.limit).toMatchObject({ type: 'integer', maximum: 100 });
      expect(schema.required.sort()).toEqual(['email', 'name']);
      expect(doc.security).toEqual([{ bearer: [] }]);
      // Query DTOs become query parameters, inherited properties (pagination) included.
      const params = doc.paths['/api/v1/things'].get!.parameters as { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
      expect(params.map((p) => [p.name, p.in, p.required]).sort()).toEqual([
        ['limit', 'query', false],
        ['name', 'query', false],
        ['owner', 'query', true],
      ]);
      expect(params.find((p) => p.name === 'limit')!.schema).toMatchObject({ type: 'integer', maximum: 100 });
    } finally {
      await app.close();
    }
  });
});
