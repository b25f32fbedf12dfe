import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import { Agent, request } from 'undici';

/** Addresses no URL in a user's file may reach: loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved. */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/** True for an address a fetch must not reach (IPv4-mapped and NAT64 IPv6 are checked as their IPv4). */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return BLOCKED.check(address, 'ipv4');
  if (family !== 6) return true;
  const lower = address.toLowerCase();
  const embedded = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (embedded) return BLOCKED.check(embedded[1], 'ipv4');
  return BLOCKED.check(lower, 'ipv6');
}

/** A media URL that cannot be fetched; the message is for the row report. */
export class MediaFetchError extends Error {}

export interface MediaUrlFetcherOptions {
  /** The whole fetch (connect, headers, body). */
  timeoutMs: number;
  /** Largest body; bigger is refused (before reading when the size is declared). */
  maxBytes: number;
  /** Allow private and loopback addresses (a local test server, an intranet CDN). */
  allowPrivate: boolean;
}

const MAX_REDIRECTS = 3;

/**
 * Fetches media a CSV names by URL, defending the service against the file (SSRF): http(s)
 * only, every address connected to checked after DNS resolution (so a name that resolves to
 * an internal address, or a redirect to one, is refused too), a size cap and a deadline.
 */
export class MediaUrlFetcher {
  private readonly agent: Agent;

  constructor(private readonly opts: MediaUrlFetcherOptions) {
    this.agent = new Agent({
      headersTimeout: opts.timeoutMs,
      bodyTimeout: opts.timeoutMs,
      connect: { timeout: opts.timeoutMs, lookup: opts.allowPrivate ? undefined : guardedLookup },
    });
  }

  /** The response body as a stream (capped), and a file name from the URL. */
  async open(raw: string): Promise<{ stream: Readable; filename: string }> {
    const signal = AbortSignal.timeout(this.opts.timeoutMs);
    let url = this.check(raw);
    for (let hop = 0; ; hop++) {
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, { method: 'GET', dispatcher: this.agent, signal, headers: { accept: 'image/*,video/*;q=0.9,*/*;q=0.1', 'user-agent': 'social-platform-media-import' } });
      } catch (err) {
        throw new MediaFetchError(describe(err, this.opts.timeoutMs));
      }
      if ([301, 302, 303, 307, 308].includes(res.statusCode)) {
        res.body.resume();
        const location = res.headers.location;
        if (typeof location !== 'string' || hop >= MAX_REDIRECTS) throw new MediaFetchError(`too many redirects (at most ${MAX_REDIRECTS})`);
        url = this.check(new URL(location, url).toString());
        continue;
      }
      if (res.statusCode !== 200) {
        res.body.resume();
        throw new MediaFetchError(`the server answered HTTP ${res.statusCode}`);
      }
      const declared = Number(res.headers['content-length'] ?? NaN);
      if (Number.isFinite(declared) && declared > this.opts.maxBytes) {
        res.body.destroy();
        throw new MediaFetchError(`the file is larger than ${this.opts.maxBytes} bytes`);
      }
      return { stream: res.body.pipe(cap(this.opts.maxBytes, this.opts.timeoutMs, res.body)), filename: filenameOf(url) };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private check(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new MediaFetchError('not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MediaFetchError('only http and https URLs are fetched');
    if (url.username || url.password) throw new MediaFetchError('URLs with credentials are not fetched');
    // An IP literal is connected to without a lookup: check it here.
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!this.opts.allowPrivate && isIP(host) && isPrivateAddress(host)) throw new MediaFetchError('the address is private or local; it is not fetched');
    return url;
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** dns.lookup that refuses names resolving to a private or local address. */
function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(Object.assign(new Error(`${hostname} resolves to a private or local address`), { code: 'EPRIVATE' }), []);
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}

function cap(maxBytes: number, timeoutMs: number, source: Readable): Transform {
  let seen = 0;
  const t = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > maxBytes) return done(new MediaFetchError(`the file is larger than ${maxBytes} bytes`));
      done(null, chunk);
    },
  });
  source.on('error', (err) => t.destroy(new MediaFetchError(describe(err, timeoutMs))));
  return t;
}

function describe(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `no complete answer within ${Math.round(timeoutMs / 1000)} s`;
  }
  if (code === 'EPRIVATE') return 'the address is private or local; it is not fetched';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'ECONNREFUSED') return 'the server refused the connection';
  return `the download failed (${code ?? e.message ?? 'unknown error'})`;
}

function filenameOf(url: URL): string {
  const last = url.pathname.split('/').filter(Boolean).pop();
  try {
    return last ? decodeURIComponent(last).slice(0, 200) : 'media';
  } catch {
    return 'media';
  }
}
