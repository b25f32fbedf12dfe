import { Parser } from '@asyncapi/parser';
import { TOPICS } from '@lib/contracts';
import { buildAsyncApi } from './document';

describe('AsyncAPI document from the catalogue', () => {
  it('is a valid AsyncAPI 3 document with every topic and its dead-letter topic', async () => {
    const doc = buildAsyncApi('1.2.3');
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((e) => `${e.path.join('.')}: ${e.message}`)).toEqual([]);
    const addresses = document!.channels().all().map((c) => c.address());
    for (const t of Object.values(TOPICS)) {
      expect(addresses).toContain(t.name);
      expect(addresses).toContain(`${t.name}.dlq`);
    }
    expect(document!.operations().all()).toHaveLength(Object.keys(TOPICS).length);
  });
});
