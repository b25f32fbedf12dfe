describe('KafkaMock without librdkafka', () => {
  const saved = process.env.LIBRDKAFKA_PATH;
  afterEach(() => {
    if (saved === undefined) delete process.env.LIBRDKAFKA_PATH;
    else process.env.LIBRDKAFKA_PATH = saved;
    jest.resetModules();
  });

  it('stops with a message naming the fixes', () => {
    process.env.LIBRDKAFKA_PATH = '/nonexistent/librdkafka.so.1';
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { KafkaMock, LibrdkafkaMissingError } = require('./kafka-mock') as typeof import('./kafka-mock');
      let error: unknown;
      try {
        KafkaMock.start(1);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(LibrdkafkaMissingError);
      const message = (error as Error).message;
      expect(message).toContain('apt-get install librdkafka1');
      expect(message).toContain('brew install librdkafka');
      expect(message).toContain('KAFKA_BROKERS');
    });
  });
});
