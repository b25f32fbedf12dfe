import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { KafkaConfig } from '@lib/config';
import { createKafka, createProducer } from '@lib/messaging';
import { LOGGER, type ReadinessCheck } from './tokens';

export const KAFKA = Symbol('KAFKA');
export const KAFKA_PRODUCER = Symbol('KAFKA_PRODUCER');
export const KAFKA_CONFIG = Symbol('KAFKA_CONFIG');

/** Readiness: the broker answers a metadata request (cached briefly so probes stay cheap). */
@Injectable()
export class KafkaReadiness implements ReadinessCheck, OnApplicationShutdown {
  readonly name = 'kafka';
  private admin?: Admin;
  private cached?: { at: number; value: Record<string, unknown> };

  constructor(@Inject(KAFKA) private readonly kafka: Kafka) {}

  async check(): Promise<Record<string, unknown>> {
    if (this.cached && Date.now() - this.cached.at < 5000) return this.cached.value;
    if (!this.admin) {
      this.admin = this.kafka.admin();
      await this.admin.connect();
    }
    const { brokers, clusterId } = await this.admin.describeCluster();
    this.cached = { at: Date.now(), value: { clusterId, brokers: brokers.length } };
    return this.cached.value;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
  }
}

@Global()
@Module({})
export class KafkaModule {
  static forRoot(config: KafkaConfig): DynamicModule {
    return {
      module: KafkaModule,
      providers: [
        { provide: KAFKA_CONFIG, useValue: config },
        { provide: KAFKA, useFactory: (logger: Logger) => createKafka(config, logger), inject: [LOGGER] },
        { provide: KAFKA_PRODUCER, useFactory: (kafka: Kafka): Producer => createProducer(kafka, config), inject: [KAFKA] },
        KafkaReadiness,
      ],
      exports: [KAFKA, KAFKA_PRODUCER, KAFKA_CONFIG, KafkaReadiness],
    };
  }
}
