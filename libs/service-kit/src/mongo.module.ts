import { Global, Injectable, Module } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import type { MikroORM as MongoOrm } from '@mikro-orm/mongodb';
import { IDEMPOTENCY_STORE, MongoIdempotencyStore } from './idempotency';
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
@Module({
  providers: [MongoReadiness, { provide: IDEMPOTENCY_STORE, useFactory: (orm: MikroORM) => new MongoIdempotencyStore(orm as MongoOrm), inject: [MikroORM] }],
  exports: [MongoReadiness, IDEMPOTENCY_STORE],
})
export class MongoModule {}
