import { Kafka, Partitioners, logLevel, type Consumer, type Producer } from 'kafkajs';
import type { KafkaConfig } from '@lib/config';
import type { Logger } from 'pino';

/** A kafkajs client whose own log lines go to pino at WARN (it reports normal rebalances as errors). */
export function createKafka(config: Pick<KafkaConfig, 'brokers' | 'clientId'>, logger?: Logger): Kafka {
  return new Kafka({
    clientId: config.clientId,
    brokers: config.brokers,
    logLevel: logLevel.WARN,
    retry: { initialRetryTime: 100, retries: 8 },
    logCreator: () => ({ namespace, level, log }) => {
      if (!logger) return;
      const { message, ...extra } = log;
      const fields = { kafka: namespace, ...extra };
      if (level === logLevel.ERROR) logger.warn(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
    },
  });
}

/**
 * acks=all producer. Idempotence is on against real Kafka; the mock broker refuses idempotent
 * producers, so there a single in-flight request keeps per-partition order across retries.
 */
export function createProducer(kafka: Kafka, config: Pick<KafkaConfig, 'idempotent'>): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: config.idempotent,
    maxInFlightRequests: config.idempotent ? 5 : 1,
    allowAutoTopicCreation: false,
  });
}

export function createConsumer(
  kafka: Kafka,
  groupId: string,
  config: Pick<KafkaConfig, 'maxWaitMs' | 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'groupPrefix'>,
): Consumer {
  return kafka.consumer({
    groupId: `${config.groupPrefix ?? ''}${groupId}`,
    maxWaitTimeInMs: config.maxWaitMs,
    sessionTimeout: config.sessionTimeoutMs,
    heartbeatInterval: config.heartbeatIntervalMs,
    allowAutoTopicCreation: false,
  });
}
