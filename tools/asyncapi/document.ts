import { TOPICS, dlqTopic } from '@lib/contracts';

/** JSON Schema of the envelope every event travels in (CloudEvents 1.0 structured mode). */
const ENVELOPE = {
  type: 'object',
  required: ['specversion', 'id', 'type', 'source', 'time', 'subject', 'datacontenttype', 'dataversion', 'workspaceid', 'correlationid', 'causationid', 'actor', 'data'],
  properties: {
    specversion: { const: '1.0', description: 'CloudEvents version' },
    id: { type: 'string', format: 'uuid', description: 'UUIDv7; consumers de-duplicate on it' },
    type: { type: 'string', description: 'The topic name' },
    source: { type: 'string', description: 'Producing service, e.g. /services/publishing' },
    time: { type: 'string', format: 'date-time', description: 'When the event happened' },
    datacontenttype: { const: 'application/json' },
    subject: { type: 'string', description: 'Aggregate id; also the Kafka message key' },
    dataversion: { type: 'integer', description: 'Payload schema version' },
    workspaceid: { type: ['string', 'null'], description: 'Tenant' },
    correlationid: { type: 'string', description: 'Id of the originating request, unchanged through every hop' },
    causationid: { type: ['string', 'null'], description: 'Event or request that directly caused this one' },
    actor: { type: 'string', description: 'user:<id>, service:<name> or system:<job>' },
    data: { description: 'The payload; see the message' },
  },
};

function clean<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema)) as T; // drops TypeBox's symbol keys
}

/** The AsyncAPI 3 document of every topic, built from the catalogue alone. */
export function buildAsyncApi(version: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = { Envelope: ENVELOPE };
  for (const [id, t] of Object.entries(TOPICS)) {
    schemas[t.payload] = clean(t.schema);
    messages[t.payload] = {
      name: t.payload,
      title: t.name,
      summary: t.description,
      contentType: 'application/cloudevents+json',
      payload: {
        allOf: [{ $ref: '#/components/schemas/Envelope' }, { type: 'object', properties: { type: { const: t.name }, data: { $ref: `#/components/schemas/${t.payload}` } } }],
      },
      bindings: { kafka: { key: { type: 'string', description: t.key }, bindingVersion: '0.5.0' } },
    };
    channels[id] = {
      address: t.name,
      description: t.description,
      messages: { [t.payload]: { $ref: `#/components/messages/${t.payload}` } },
      bindings: { kafka: { topic: t.name, partitions: t.partitions, bindingVersion: '0.5.0' } },
    };
    channels[`${id}Dlq`] = {
      address: dlqTopic(t.name),
      description: `Dead letters of ${t.name}: the original message plus dlq-* headers with the error`,
      messages: { [t.payload]: { $ref: `#/components/messages/${t.payload}` } },
      bindings: { kafka: { topic: dlqTopic(t.name), partitions: t.partitions, bindingVersion: '0.5.0' } },
    };
    operations[`send${id[0].toUpperCase()}${id.slice(1)}`] = {
      action: 'send',
      summary: `${t.producer} publishes ${t.name}`,
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${t.payload}` }],
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Social platform events',
      version,
      description: 'Every Kafka topic of the platform. Generated from libs/contracts; do not edit.',
    },
    defaultContentType: 'application/cloudevents+json',
    servers: { kafka: { host: 'kafka:9092', protocol: 'kafka', description: 'Apache Kafka (KRaft)' } },
    channels,
    operations,
    components: { schemas, messages },
  };
}
