import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearer, field, s256, token, type EmulatorCore, type NetworkErrors, type SeededAccount, type TokenRecord } from './core';

// X API v2 as the connector uses it: OAuth 2.0 + PKCE (rotating refresh tokens), /2/users/me,
// /2/tweets, the user timeline, chunked media upload. Numbers are X's documented behaviour.
const ACCESS_TTL_MS = 2 * 3600_000;
const REFRESH_TTL_MS = 180 * 24 * 3600_000;
const POSTS_PER_WINDOW = 100;
const WINDOW_MS = 15 * 60_000;

interface Media {
  id: string;
  accountId: string;
  totalBytes: number;
  received: number;
  category: string;
  state: 'uploading' | 'pending' | 'succeeded';
}

/**
 * A post as X returns it: every URL shortened to t.co (listed in `entities.urls` with the URL that
 * was sent), and a t.co link to the media appended when the post has media.
 */
function rendered(p: { id: string; text: string; media: string[] }): { text: string; urls: { start: number; end: number; url: string; expanded_url: string; display_url: string; media_key?: string }[] } {
  const urls: { start: number; end: number; url: string; expanded_url: string; display_url: string; media_key?: string }[] = [];
  let n = 0;
  let text = p.text.replace(/https?:\/\/[^\s]+/g, (u) => {
    const short = `https://t.co/${p.id.slice(-6)}${n++}`;
    urls.push({ start: 0, end: 0, url: short, expanded_url: u, display_url: u.replace(/^https?:\/\//, '') });
    return short;
  });
  if (p.media.length) {
    const short = `https://t.co/${p.id.slice(-6)}m`;
    text = text ? `${text} ${short}` : short;
    urls.push({ start: 0, end: 0, url: short, expanded_url: `https://x.com/i/web/status/${p.id}/photo/1`, display_url: 'pic.x.com/media', media_key: `3_${p.media[0]}` });
  }
  for (const u of urls) {
    u.start = [...text.slice(0, text.indexOf(u.url))].length;
    u.end = u.start + u.url.length;
  }
  return { text, urls };
}

function problem(reply: FastifyReply, status: number, title: string, detail: string, type = 'about:blank'): FastifyReply {
  return reply.code(status).header('content-type', 'application/problem+json').send({ title, detail, type, status });
}

export const twitterErrors: NetworkErrors = {
  unauthorized: (reply) => problem(reply, 401, 'Unauthorized', 'Unauthorized'),
  rateLimited: (reply, untilMs) =>
    problem(
      reply
        .header('x-rate-limit-limit', String(POSTS_PER_WINDOW))
        .header('x-rate-limit-remaining', '0')
        .header('x-rate-limit-reset', String(Math.ceil(untilMs / 1000))),
      429,
      'Too Many Requests',
      'Too Many Requests',
    ),
  serverError: (reply) => problem(reply, 503, 'Service Unavailable', 'Service Unavailable'),
};

export function registerTwitter(app: FastifyInstance, core: EmulatorCore): (opts: { username?: string }) => SeededAccount {
  const users = new Map<string, { id: string; username: string; name: string }>();
  const media = new Map<string, Media>();
  const windows = new Map<string, { start: number; count: number }>();

  const newUser = (username?: string): { id: string; username: string; name: string } => {
    const id = String(1_000_000_000 + core.nextId());
    const u = { id, username: username ?? `user${id}`, name: `User ${id}` };
    users.set(id, u);
    return u;
  };
  const issuePair = (subject: string, clientId: string | undefined, scopes: string[]): { access: string; refresh?: string } => {
    const access = core.issue(token('xat_'), { kind: 'access', subject, clientId, scopes, expiresAt: Date.now() + ACCESS_TTL_MS });
    const refresh = scopes.includes('offline.access')
      ? core.issue(token('xrt_'), { kind: 'refresh', subject, clientId, scopes, expiresAt: Date.now() + REFRESH_TTL_MS })
      : undefined;
    return { access, refresh };
  };
  const tokenAnswer = (pair: { access: string; refresh?: string }, scopes: string[]) => ({
    token_type: 'bearer',
    expires_in: ACCESS_TTL_MS / 1000,
    access_token: pair.access,
    scope: scopes.join(' '),
    ...(pair.refresh ? { refresh_token: pair.refresh } : {}),
  });
  const oauthError = (reply: FastifyReply, error: string, description: string): FastifyReply =>
    reply.code(400).send({ error, error_description: description });

  /** Auth + faults for API routes; returns the caller's token or null when an answer was sent. */
  const guard = async (req: FastifyRequest, reply: FastifyReply): Promise<TokenRecord | null> => {
    if (await core.gate(reply, twitterErrors)) return null;
    const t = core.check(bearer(req), ['access']);
    if (!t.ok) {
      twitterErrors.unauthorized(reply, t.why);
      return null;
    }
    return t.token;
  };

  app.get('/i/oauth2/authorize', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (q.response_type !== 'code' || !q.client_id || !q.redirect_uri || !q.state) return reply.code(400).send('missing response_type, client_id, redirect_uri or state');
    if (!q.code_challenge || q.code_challenge_method !== 'S256') return reply.code(400).send('PKCE with code_challenge_method=S256 is required');
    const approval = core.takeApproval();
    const user = (approval && users.get(approval.accountId)) || newUser();
    const code = token('xcode_');
    core.codes.set(code, {
      clientId: q.client_id,
      redirectUri: q.redirect_uri,
      subject: user.id,
      scopes: (q.scope ?? '').split(' ').filter(Boolean),
      codeChallenge: q.code_challenge,
      expiresAt: Date.now() + 30_000,
      withoutRefreshToken: approval?.withoutRefreshToken,
    });
    const to = new URL(q.redirect_uri);
    to.searchParams.set('state', q.state);
    to.searchParams.set('code', code);
    return reply.redirect(to.toString(), 302);
  });

  app.post('/2/oauth2/token', async (req, reply) => {
    if (await core.gate(reply, twitterErrors)) return reply;
    const grant = field(req.body, 'grant_type');
    const basic = req.headers.authorization?.startsWith('Basic ') ? Buffer.from(req.headers.authorization.slice(6), 'base64').toString().split(':')[0] : undefined;
    const clientId = field(req.body, 'client_id') ?? basic;
    if (!clientId) return reply.code(401).send({ error: 'invalid_client', error_description: 'Missing valid authorization header' });
    if (grant === 'authorization_code') {
      const code = field(req.body, 'code') ?? '';
      const c = core.codes.get(code);
      core.codes.delete(code);
      if (!c || c.expiresAt < Date.now() || c.clientId !== clientId) return oauthError(reply, 'invalid_request', 'Value passed for the authorization code was invalid.');
      if (c.redirectUri !== field(req.body, 'redirect_uri')) return oauthError(reply, 'invalid_request', 'Value passed for the redirect uri did not match the uri of the authorization code.');
      const verifier = field(req.body, 'code_verifier');
      if (!verifier || s256(verifier) !== c.codeChallenge) return oauthError(reply, 'invalid_request', 'Value passed for the code verifier did not match the code challenge.');
      const pair = issuePair(c.subject, clientId, c.scopes);
      return reply.send(tokenAnswer(c.withoutRefreshToken ? { access: pair.access } : pair, c.scopes));
    }
    if (grant === 'refresh_token') {
      const old = field(req.body, 'refresh_token');
      const t = core.check(old, ['refresh']);
      if (!t.ok || (t.token.clientId !== undefined && t.token.clientId !== clientId)) return oauthError(reply, 'invalid_request', 'Value passed for the token was invalid.');
      // X rotates: the old refresh token dies with this answer.
      t.token.revoked = true;
      return reply.send(tokenAnswer(issuePair(t.token.subject, clientId, t.token.scopes), t.token.scopes));
    }
    return oauthError(reply, 'unsupported_grant_type', `grant_type ${grant ?? '(none)'} is not supported`);
  });

  app.post('/2/oauth2/revoke', async (req, reply) => {
    if (await core.gate(reply, twitterErrors)) return reply;
    const t = core.tokens.get(field(req.body, 'token') ?? '');
    if (t) t.revoked = true;
    return reply.send({ revoked: true });
  });

  app.get('/2/users/me', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const u = users.get(t.subject);
    return reply.send({ data: { id: u?.id ?? t.subject, name: u?.name, username: u?.username, profile_image_url: `https://pbs.twimg.com/profile_images/${t.subject}.jpg` } });
  });

  app.post('/2/tweets', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const body = (req.body ?? {}) as { text?: unknown; media?: { media_ids?: unknown }; reply?: { in_reply_to_tweet_id?: unknown } };
    const w = windows.get(t.subject);
    const now = Date.now();
    const win = w && now - w.start < WINDOW_MS ? w : { start: now, count: 0 };
    windows.set(t.subject, win);
    const reset = String(Math.ceil((win.start + WINDOW_MS) / 1000));
    reply.header('x-rate-limit-limit', String(POSTS_PER_WINDOW)).header('x-rate-limit-reset', reset);
    if (win.count >= POSTS_PER_WINDOW) return twitterErrors.rateLimited(reply, win.start + WINDOW_MS, {});
    const mediaIds = Array.isArray(body.media?.media_ids) ? body.media.media_ids.map(String) : [];
    const text = typeof body.text === 'string' ? body.text : '';
    if (!text && mediaIds.length === 0) return problem(reply, 400, 'Invalid Request', 'One or more parameters to your request was invalid.', 'https://api.twitter.com/2/problems/invalid-request');
    if (weighted(text) > 280) return problem(reply, 400, 'Invalid Request', 'Text is too long.', 'https://api.twitter.com/2/problems/invalid-request');
    for (const id of mediaIds) {
      const m = media.get(id);
      if (!m || m.accountId !== t.subject || m.state !== 'succeeded') return problem(reply, 400, 'Invalid Request', `Your media IDs are invalid: ${id}`, 'https://api.twitter.com/2/problems/invalid-request');
    }
    if (mediaIds.length > 4) return problem(reply, 400, 'Invalid Request', 'Too many media ids.', 'https://api.twitter.com/2/problems/invalid-request');
    if (text && core.postList.some((p) => p.accountId === t.subject && p.text === text)) {
      return problem(reply, 403, 'Forbidden', 'You are not allowed to create a Tweet with duplicate content.');
    }
    win.count++;
    reply.header('x-rate-limit-remaining', String(POSTS_PER_WINDOW - win.count));
    const id = String(1_860_000_000_000_000_000n + BigInt(core.nextId()));
    const inReplyTo = body.reply?.in_reply_to_tweet_id !== undefined ? String(body.reply.in_reply_to_tweet_id) : undefined;
    core.postList.push({ id, accountId: t.subject, text, media: mediaIds, createdAt: new Date(), inReplyTo });
    await core.afterCreate();
    return reply.code(201).send({ data: { id, text: rendered({ id, text, media: mediaIds }).text, edit_history_tweet_ids: [id] } });
  });

  app.get('/2/users/:id/tweets', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const { id } = req.params as { id: string };
    const q = req.query as Record<string, string | undefined>;
    const since = q.start_time ? Date.parse(q.start_time) : 0;
    const max = Math.min(Number(q.max_results ?? 10), 100);
    const mine = core.postList.filter((p) => p.accountId === id && p.createdAt.getTime() >= since).reverse();
    const offset = Number(q.pagination_token ?? 0);
    const page = mine.slice(offset, offset + max);
    const fields = (q['tweet.fields'] ?? '').split(',');
    const data = page.map((p) => {
      const r = rendered(p);
      return {
        id: p.id,
        text: r.text,
        edit_history_tweet_ids: [p.id],
        ...(fields.includes('created_at') ? { created_at: p.createdAt.toISOString() } : {}),
        ...(fields.includes('entities') && r.urls.length ? { entities: { urls: r.urls } } : {}),
        ...(fields.includes('attachments') && p.media.length ? { attachments: { media_keys: p.media.map((m) => `3_${m}`) } } : {}),
      };
    });
    const next = offset + max < mine.length ? String(offset + max) : undefined;
    return reply.send({ ...(data.length ? { data } : {}), meta: { result_count: data.length, ...(next ? { next_token: next } : {}) } });
  });

  app.get('/2/tweets/search/recent', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const q = (req.query as Record<string, string | undefined>).query ?? '';
    const conv = /conversation_id:(\d+)/.exec(q)?.[1];
    const data = core.postList.filter((p) => conv !== undefined && p.inReplyTo === conv).map((p) => ({ id: p.id, text: p.text, author_id: p.accountId, created_at: p.createdAt.toISOString() }));
    return reply.send({ ...(data.length ? { data } : {}), meta: { result_count: data.length } });
  });

  app.get('/2/tweets/:id', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const { id } = req.params as { id: string };
    const p = core.postList.find((x) => x.id === id);
    if (!p) return reply.send({ errors: [{ value: id, detail: `Could not find tweet with id: [${id}].`, title: 'Not Found Error', resource_type: 'tweet', parameter: 'id', resource_id: id, type: 'https://api.twitter.com/2/problems/resource-not-found' }] });
    const replies = core.postList.filter((x) => x.inReplyTo === id).length;
    return reply.send({ data: { id, text: p.text, public_metrics: { retweet_count: 0, reply_count: replies, like_count: 0, quote_count: 0, bookmark_count: 0, impression_count: 0 } } });
  });

  const mediaCommand = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const src = { ...(req.query as Record<string, unknown>), ...((req.body as Record<string, unknown> | undefined) ?? {}) };
    const command = field(src, 'command');
    const bad = (detail: string): FastifyReply => problem(reply, 400, 'Invalid Request', detail, 'https://api.twitter.com/2/problems/invalid-request');
    if (command === 'INIT') {
      const total = Number(field(src, 'total_bytes'));
      const category = field(src, 'media_category') ?? 'tweet_image';
      const limit = category === 'tweet_video' ? 512 * 1024 * 1024 : category === 'tweet_gif' ? 15 * 1024 * 1024 : 5 * 1024 * 1024;
      if (!Number.isFinite(total) || total <= 0) return bad('total_bytes is required');
      if (total > limit) return bad(`File size exceeds ${limit} bytes.`);
      const id = String(1_870_000_000_000_000_000n + BigInt(core.nextId()));
      media.set(id, { id, accountId: t.subject, totalBytes: total, received: 0, category, state: 'uploading' });
      return reply.code(202).send({ data: { id, media_key: `3_${id}`, expires_after_secs: 86_400 } });
    }
    const m = media.get(field(src, 'media_id') ?? '');
    if (!m || m.accountId !== t.subject) return bad('media_id is invalid');
    if (command === 'APPEND') {
      const data = field(src, 'media_data');
      if (!data) return bad('media_data is required');
      m.received += Buffer.from(data, 'base64').length;
      return reply.code(204).send();
    }
    if (command === 'FINALIZE') {
      if (m.received !== m.totalBytes) return bad(`File size mismatch: received ${m.received} of ${m.totalBytes} bytes.`);
      m.state = m.category === 'tweet_image' ? 'succeeded' : 'pending';
      const info = m.state === 'pending' ? { processing_info: { state: 'pending', check_after_secs: 1 } } : {};
      return reply.send({ data: { id: m.id, media_key: `3_${m.id}`, size: m.totalBytes, ...info } });
    }
    if (command === 'STATUS') {
      // Processing finishes by the first status check.
      m.state = 'succeeded';
      return reply.send({ data: { id: m.id, media_key: `3_${m.id}`, processing_info: { state: 'succeeded', progress_percent: 100 } } });
    }
    return bad(`command ${command ?? '(none)'} is not supported`);
  };
  app.post('/2/media/upload', mediaCommand);
  app.get('/2/media/upload', mediaCommand);

  return ({ username }) => {
    const u = newUser(username);
    const scopes = ['tweet.read', 'tweet.write', 'users.read', 'media.write', 'offline.access'];
    const pair = issuePair(u.id, undefined, scopes); // seeded tokens refresh with any client id
    return { accountId: u.id, accessToken: pair.access, refreshToken: pair.refresh ?? null, username: u.username };
  };
}

/**
 * Text length as X weighs it (twitter-text v3 config): each URL counts 23 (t.co), code points in
 * U+0000–U+10FF and a few general-punctuation ranges count 1, anything else (CJK, emoji…) 2.
 * The emulator keeps its own copy on purpose: it stands in for X, not for our client.
 */
function weighted(text: string): number {
  const urls = text.match(/https?:\/\/\S+/g) ?? [];
  const rest = text.replace(/https?:\/\/\S+/g, '');
  const single: [number, number][] = [[0, 0x10ff], [0x2000, 0x200d], [0x2010, 0x201f], [0x2032, 0x2037]];
  let n = urls.length * 23;
  for (const ch of rest) {
    const cp = ch.codePointAt(0)!;
    n += single.some(([lo, hi]) => cp >= lo && cp <= hi) ? 1 : 2;
  }
  return n;
}
