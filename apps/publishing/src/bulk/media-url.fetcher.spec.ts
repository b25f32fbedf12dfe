import { MediaFetchError, MediaUrlFetcher, isPrivateAddress } from './media-url.fetcher';

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254', // cloud metadata
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe'.replace('a9fe:a9fe', '169.254.169.254'),
    'not an ip',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe('MediaUrlFetcher (private addresses not allowed)', () => {
  const fetcher = new MediaUrlFetcher({ timeoutMs: 2_000, maxBytes: 1024, allowPrivate: false });
  afterAll(() => fetcher.close());

  async function refusal(url: string): Promise<string> {
    const err: unknown = await fetcher.open(url).then(
      () => null,
      (e: unknown) => e,
    );
    if (!(err instanceof MediaFetchError)) throw new Error(`expected a MediaFetchError, got ${String(err)}`);
    return err.message;
  }

  it('refuses other schemes and URLs with credentials without connecting', async () => {
    expect(await refusal('file:///etc/passwd')).toBe('only http and https URLs are fetched');
    expect(await refusal('ftp://example.com/a.jpg')).toBe('only http and https URLs are fetched');
    expect(await refusal('https://user:pw@example.com/a.jpg')).toBe('URLs with credentials are not fetched');
    expect(await refusal('not a url')).toBe('not a URL');
  });

  it('refuses loopback and private addresses, given as literals or as names that resolve to them', async () => {
    expect(await refusal('http://127.0.0.1:1/a.png')).toBe('the address is private or local; it is not fetched');
    expect(await refusal('http://[::1]:1/a.png')).toBe('the address is private or local; it is not fetched');
    expect(await refusal('http://169.254.169.254/latest/meta-data/')).toBe('the address is private or local; it is not fetched');
    // `localhost` passes the literal check; the guarded DNS lookup refuses what it resolves to.
    expect(await refusal('http://localhost:1/a.png')).toBe('the address is private or local; it is not fetched');
  });
});
