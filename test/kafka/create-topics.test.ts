import { testStack } from '@lib/testing';
import { spawnNode } from '../../tools/dev/processes';

describe('create-topics (the deployment one-shot)', () => {
  const { brokers } = testStack();

  it('finds every catalogue topic with its partition count and exits 0', async () => {
    const proc = spawnNode('create-topics', 'tools/kafka/create-topics.js', { KAFKA_BROKERS: brokers.join(',') });
    expect(await proc.exited).toBe(0);
    const summary = JSON.parse(proc.lines.find((l) => l.includes('topics ready')) ?? '{}') as { created: string[]; total: number };
    expect(summary.created).toEqual([]); // the embedded stack pre-created them all
    expect(summary.total).toBe(34);
  });

  it('names a bad broker list', async () => {
    const proc = spawnNode('create-topics', 'tools/kafka/create-topics.js', { KAFKA_BROKERS: 'nope' });
    expect(await proc.exited).toBe(1);
    expect(proc.lines.join('\n')).toMatch(/KAFKA_BROKERS must be a comma-separated host:port list/);
  });
});
