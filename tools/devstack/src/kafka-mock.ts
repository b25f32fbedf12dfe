import koffi, { type LibraryHandle } from 'koffi';

/** Thrown when the system librdkafka cannot be loaded; its message names the fix. */
export class LibrdkafkaMissingError extends Error {
  constructor(cause: string) {
    super(
      [
        'The embedded Kafka broker needs the system library librdkafka (librdkafka.so.1), which was not found.',
        'Fix it with one of:',
        '  apt-get install librdkafka1      (Debian, Ubuntu)',
        '  brew install librdkafka          (macOS)',
        '  or set KAFKA_BROKERS=host:port to use a real Kafka instead of the embedded one.',
        `(loader said: ${cause})`,
      ].join('\n'),
    );
    this.name = 'LibrdkafkaMissingError';
  }
}

interface Api {
  confNew: () => unknown;
  confSet: (conf: unknown, name: string, value: string, err: Buffer, size: number) => number;
  kafkaNew: (type: number, conf: unknown, err: Buffer, size: number) => unknown;
  destroy: (rk: unknown) => void;
  clusterNew: (rk: unknown, brokers: number) => unknown;
  clusterDestroy: (mc: unknown) => void;
  bootstraps: (mc: unknown) => string;
  topicCreate: (mc: unknown, topic: string, partitions: number, replication: number) => number;
  brokerDown: (mc: unknown, id: number) => number;
  brokerUp: (mc: unknown, id: number) => number;
  err2name: (err: number) => string;
}

const LIB_NAMES = ['librdkafka.so.1', 'librdkafka.1.dylib', '/opt/homebrew/lib/librdkafka.dylib', '/usr/local/lib/librdkafka.dylib'];
let api: Api | undefined;

function load(): Api {
  if (api) return api;
  let lib: LibraryHandle | undefined;
  const errors: string[] = [];
  for (const name of process.env.LIBRDKAFKA_PATH ? [process.env.LIBRDKAFKA_PATH] : LIB_NAMES) {
    try {
      lib = koffi.load(name);
      break;
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (!lib) throw new LibrdkafkaMissingError(errors[0] ?? 'not found');
  api = {
    confNew: lib.func('void *rd_kafka_conf_new()'),
    confSet: lib.func('int rd_kafka_conf_set(void *conf, const char *name, const char *value, _Out_ uint8_t *errstr, size_t errstr_size)'),
    kafkaNew: lib.func('void *rd_kafka_new(int type, void *conf, _Out_ uint8_t *errstr, size_t errstr_size)'),
    destroy: lib.func('void rd_kafka_destroy(void *rk)'),
    clusterNew: lib.func('void *rd_kafka_mock_cluster_new(void *rk, int broker_cnt)'),
    clusterDestroy: lib.func('void rd_kafka_mock_cluster_destroy(void *mc)'),
    bootstraps: lib.func('const char *rd_kafka_mock_cluster_bootstraps(void *mc)'),
    topicCreate: lib.func('int rd_kafka_mock_topic_create(void *mc, const char *topic, int partition_cnt, int replication_factor)'),
    brokerDown: lib.func('int rd_kafka_mock_broker_set_down(void *mc, int32_t broker_id)'),
    brokerUp: lib.func('int rd_kafka_mock_broker_set_up(void *mc, int32_t broker_id)'),
    err2name: lib.func('const char *rd_kafka_err2name(int err)'),
  };
  return api;
}

/**
 * librdkafka's mock cluster: the Kafka wire protocol, in memory, in this process. It keeps
 * nothing across a restart and does not answer CreateTopics, so topics are created here.
 */
export class KafkaMock {
  private rk: unknown;
  private mc: unknown;
  readonly brokers: string[];

  private constructor(
    private readonly lib: Api,
    readonly brokerCount: number,
  ) {
    const err = Buffer.alloc(512);
    const conf = lib.confNew();
    lib.confSet(conf, 'log_level', '3', err, err.length);
    // rd_kafka_new takes ownership of conf. Type 0 = producer; the handle only hosts the cluster.
    this.rk = lib.kafkaNew(0, conf, err, err.length);
    if (!this.rk) throw new Error(`rd_kafka_new failed: ${err.toString('utf8').replace(/\0.*$/s, '')}`);
    this.mc = lib.clusterNew(this.rk, brokerCount);
    if (!this.mc) throw new Error('rd_kafka_mock_cluster_new failed');
    this.brokers = lib.bootstraps(this.mc).split(',');
  }

  static start(brokerCount = 3): KafkaMock {
    return new KafkaMock(load(), brokerCount);
  }

  createTopic(name: string, partitions: number, replication = Math.min(3, this.brokerCount)): void {
    this.check(this.lib.topicCreate(this.mc, name, partitions, replication), `create topic ${name}`);
  }

  /** Broker ids start at 1. */
  setBrokerDown(id: number): void {
    this.check(this.lib.brokerDown(this.mc, id), `set broker ${id} down`);
  }

  setBrokerUp(id: number): void {
    this.check(this.lib.brokerUp(this.mc, id), `set broker ${id} up`);
  }

  stop(): void {
    if (!this.mc) return;
    this.lib.clusterDestroy(this.mc);
    this.lib.destroy(this.rk);
    this.mc = undefined;
    this.rk = undefined;
  }

  private check(code: number, what: string): void {
    if (code !== 0) throw new Error(`kafka mock: ${what} failed: ${this.lib.err2name(code)}`);
  }
}
