import { Global, Injectable, Module } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { ReadinessCheck } from './tokens';

/** Readiness: the service's MongoDB answers. */
@Injectable()
export class MongoReadiness implements ReadinessCheck {
  readonly name = 'mongodb';
  constructor(private readonly orm: MikroORM) {}

  async check(): Promise<void> {
    if (!(await this.orm.isConnected())) throw new Error('MongoDB connection is down');
  }
}

@Global()
@Module({ providers: [MongoReadiness], exports: [MongoReadiness] })
export class MongoModule {}
