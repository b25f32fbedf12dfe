import { CHECKPOINT_ACTION, GENESIS_HASH, canonical, chainHash, redact, verifyEntries, type ChainContent } from './audit-chain';

function chain(n: number): (ChainContent & { id: string; prevHash: string; hash: string })[] {
  const out: (ChainContent & { id: string; prevHash: string; hash: string })[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const content: ChainContent = {
      workspaceId: 'w', userId: 'u', userName: 'Ann', userEmail: 'a@x.io', action: 'post.updated', resourceType: 'post', resourceId: `p${seq}`,
      details: { before: { text: 'a' }, after: { text: 'b' } }, ipAddress: '10.0.0.1', userAgent: 'ua', timestamp: new Date(1_700_000_000_000 + seq), seq, eventId: `e${seq}`,
    };
    const hash = chainHash(prev, content);
    out.push({ ...content, id: `id${seq}`, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

describe('audit hash chain', () => {
  it('verifies an untouched chain', () => {
    expect(verifyEntries(chain(5))).toEqual({ valid: true, checked: 5 });
  });

  it.each([
    ['an edited field', (c: ReturnType<typeof chain>) => (c[2].details = { before: { text: 'a' }, after: { text: 'forged' } })],
    ['a changed actor', (c: ReturnType<typeof chain>) => (c[2].userId = 'someone-else')],
    ['a recomputed hash that no longer links', (c: ReturnType<typeof chain>) => {
      c[2].resourceId = 'x';
      c[2].hash = chainHash(c[2].prevHash, c[2]);
    }],
  ])('names the first broken entry after %s', (_what, tamper) => {
    const c = chain(5);
    tamper(c);
    const expected = _what === 'a recomputed hash that no longer links' ? 'id4' : 'id3';
    expect(verifyEntries(c)).toMatchObject({ valid: false, brokenAt: expected });
  });

  it('detects a deleted entry in the middle', () => {
    const c = chain(5);
    c.splice(2, 1);
    expect(verifyEntries(c)).toMatchObject({ valid: false, brokenAt: 'id4' });
  });

  it('starts from a checkpoint after a purge', () => {
    const c = chain(6);
    // Entries 1-3 purged; the checkpoint stands in for entry 3 and carries its hash.
    const checkpoint = { ...c[2], id: 'cp', action: CHECKPOINT_ACTION, eventId: null, details: { purgedThrough: 3 } };
    expect(verifyEntries([checkpoint, ...c.slice(3)])).toEqual({ valid: true, checked: 4 });
    expect(verifyEntries([{ ...checkpoint, hash: 'f'.repeat(64) }, ...c.slice(3)])).toMatchObject({ valid: false, brokenAt: 'id4' });
    expect(verifyEntries([c[0], checkpoint, ...c.slice(3)])).toMatchObject({ valid: false, brokenAt: 'cp' });
  });

  it('hashes canonical content: key order does not matter, values do', () => {
    expect(canonical({ b: 1, a: { d: 2, c: [1, { f: 1, e: 2 }] } })).toBe('{"a":{"c":[1,{"e":2,"f":1}],"d":2},"b":1}');
  });

  it('redacts secrets at any depth', () => {
    expect(redact({ before: { password: 'x', name: 'a' }, after: { accessToken: 't', list: [{ apiKey: 'k' }] } })).toEqual({
      before: { password: '[redacted]', name: 'a' },
      after: { accessToken: '[redacted]', list: [{ apiKey: '[redacted]' }] },
    });
  });
});
