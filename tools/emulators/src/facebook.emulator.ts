import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearer, field, token, type EmulatorCore, type FailOptions, type NetworkErrors, type SeededAccount, type TokenRecord } from './core';

// Graph API for Pages as the connector uses it. Paths may carry a version prefix (/v21.0/...),
// stripped by the server. Expired or unknown tokens answer HTTP 400 with OAuthException code 190,
// as the real Graph API does (not 401).
const SHORT_TTL_MS = 2 * 3600_000;
const LONG_TTL_MS = 60 * 24 * 3600_000;

const THROTTLE_MESSAGES: Record<number, string> = {
  4: 'Application request limit reached',
  17: 'User request limit reached',
  32: 'Page request limit reached',
  613: 'Calls to this api have exceeded the rate limit.',
};

function graphError(reply: FastifyReply, status: number, error: { message: string; type: string; code: number; error_subcode?: number; is_transient?: boolean }): FastifyReply {
  return reply.code(status).send({ error: { ...error, fbtrace_id: randomBytes(8).toString('base64url') } });
}

export const facebookErrors: NetworkErrors = {
  unauthorized: (reply, why) =>
    graphError(reply, 400, {
      message:
        why === 'expired'
          ? 'Error validating access token: Session has expired.'
          : why === 'revoked'
            ? 'Error validating access token: The user has not authorized application.'
            : why === 'missing'
              ? 'An active access token must be used to query information about the current user.'
              : 'Invalid OAuth access token - Cannot parse access token',
      type: 'OAuthException',
      code: why === 'missing' ? 2500 : 190,
      ...(why === 'expired' ? { error_subcode: 463 } : why === 'revoked' ? { error_subcode: 458 } : {}),
    }),
  rateLimited: (reply, untilMs, opts: FailOptions) => {
    const code = opts.code ?? 32;
    const minutes = Math.max(1, Math.ceil((untilMs - Date.now()) / 60_000));
    if (code === 4 || code === 17) {
      reply.header('x-app-usage', JSON.stringify({ call_count: 100, total_cputime: 42, total_time: 57 }));
    } else {
      reply.header(
        'x-business-use-case-usage',
        JSON.stringify({ '1234567890': [{ type: 'pages', call_count: 100, total_cputime: 30, total_time: 40, estimated_time_to_regain_access: minutes }] }),
      );
    }
    return graphError(reply, code === 4 || code === 17 ? 403 : 400, { message: `(#${code}) ${THROTTLE_MESSAGES[code] ?? 'Rate limit reached'}`, type: 'OAuthException', code, is_transient: true });
  },
  serverError: (reply) =>
    graphError(reply, 500, { message: 'An unexpected error has occurred. Please retry your request later.', type: 'OAuthException', code: 2, is_transient: true }),
};

interface Page {
  id: string;
  name: string;
  owner: string;
}

export function registerFacebook(app: FastifyInstance, core: EmulatorCore): (opts: { username?: string }) => SeededAccount {
  const users = new Map<string, { id: string; name: string }>();
  const pages = new Map<string, Page>();
  const comments = new Map<string, { id: string; message: string; from: string; created: Date }[]>();

  const newUser = (name?: string): { user: { id: string; name: string }; page: Page } => {
    const user = { id: String(10_000_000_000 + core.nextId()), name: name ?? 'Page Admin' };
    users.set(user.id, user);
    const page = { id: String(100_000_000_000 + core.nextId()), name: `${user.name}'s Page`, owner: user.id };
    pages.set(page.id, page);
    return { user, page };
  };
  const pageToken = (page: Page, userToken: string): string =>
    core.issue(token('EAAP'), { kind: 'page', subject: page.id, scopes: [], expiresAt: Date.now() + LONG_TTL_MS, parent: userToken });

  const guard = async (req: FastifyRequest, reply: FastifyReply, kinds: TokenRecord['kind'][] = ['user', 'page']): Promise<{ value: string; rec: TokenRecord } | null> => {
    if (await core.gate(reply, facebookErrors)) return null;
    const value = bearer(req);
    const t = core.check(value, kinds);
    if (!t.ok || !value) {
      facebookErrors.unauthorized(reply, t.ok ? 'unknown' : t.why);
      return null;
    }
    reply.header('x-app-usage', JSON.stringify({ call_count: 1, total_cputime: 1, total_time: 1 }));
    return { value, rec: t.token };
  };
  const permissionDenied = (reply: FastifyReply): FastifyReply =>
    graphError(reply, 403, { message: '(#200) The user hasn\'t authorized the application to perform this action', type: 'OAuthException', code: 200 });
  const invalidParam = (reply: FastifyReply, message: string): FastifyReply => graphError(reply, 400, { message: `(#100) ${message}`, type: 'OAuthException', code: 100 });

  app.get('/dialog/oauth', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (!q.client_id || !q.redirect_uri || !q.state) return reply.code(400).send('missing client_id, redirect_uri or state');
    const approval = core.takeApproval();
    const owner = approval ? (users.get(approval.accountId) ?? users.get(pages.get(approval.accountId)?.owner ?? '')) : undefined;
    const user = owner ?? newUser().user;
    const code = token('fbcode_');
    core.codes.set(code, { clientId: q.client_id, redirectUri: q.redirect_uri, subject: user.id, scopes: (q.scope ?? '').split(','), expiresAt: Date.now() + 600_000 });
    const to = new URL(q.redirect_uri);
    to.searchParams.set('code', code);
    to.searchParams.set('state', q.state);
    return reply.redirect(to.toString(), 302);
  });

  app.get('/oauth/access_token', async (req, reply) => {
    if (await core.gate(reply, facebookErrors)) return reply;
    const q = req.query as Record<string, string | undefined>;
    if (!q.client_id || !q.client_secret) return graphError(reply, 400, { message: 'Missing client_id or client_secret parameter.', type: 'OAuthException', code: 101 });
    if (q.grant_type === 'fb_exchange_token') {
      const t = core.check(q.fb_exchange_token, ['user']);
      if (!t.ok) return facebookErrors.unauthorized(reply, t.why);
      const long = core.issue(token('EAAL'), { kind: 'user', subject: t.token.subject, clientId: q.client_id, scopes: t.token.scopes, expiresAt: Date.now() + LONG_TTL_MS });
      return reply.send({ access_token: long, token_type: 'bearer', expires_in: LONG_TTL_MS / 1000 });
    }
    const c = core.codes.get(q.code ?? '');
    core.codes.delete(q.code ?? '');
    if (!c || c.expiresAt < Date.now() || c.clientId !== q.client_id) {
      return graphError(reply, 400, { message: 'Invalid verification code format.', type: 'OAuthException', code: 100, error_subcode: 36007 });
    }
    if (c.redirectUri !== q.redirect_uri) {
      return graphError(reply, 400, { message: 'Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request', type: 'OAuthException', code: 100, error_subcode: 36008 });
    }
    const short = core.issue(token('EAAS'), { kind: 'user', subject: c.subject, clientId: c.clientId, scopes: c.scopes, expiresAt: Date.now() + SHORT_TTL_MS });
    return reply.send({ access_token: short, token_type: 'bearer', expires_in: SHORT_TTL_MS / 1000 });
  });

  app.get('/me', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    if (t.rec.kind === 'page') return reply.send({ id: t.rec.subject, name: pages.get(t.rec.subject)?.name });
    const u = users.get(t.rec.subject);
    return reply.send({ id: t.rec.subject, name: u?.name, picture: { data: { url: `https://graph.facebook.com/${t.rec.subject}/picture` } } });
  });

  app.get('/me/accounts', async (req, reply) => {
    const t = await guard(req, reply, ['user']);
    if (!t) return reply;
    const data = [...pages.values()]
      .filter((p) => p.owner === t.rec.subject)
      .map((p) => ({ id: p.id, name: p.name, category: 'Brand', access_token: pageToken(p, t.value), tasks: ['ANALYZE', 'ADVERTISE', 'MODERATE', 'CREATE_CONTENT', 'MANAGE'] }));
    return reply.send({ data, paging: {} });
  });

  app.delete('/me/permissions', async (req, reply) => {
    const t = await guard(req, reply, ['user']);
    if (!t) return reply;
    t.rec.revoked = true;
    return reply.send({ success: true });
  });

  const pageFor = (t: TokenRecord, pageId: string): Page | undefined => {
    const p = pages.get(pageId);
    return p && t.kind === 'page' && t.subject === p.id ? p : undefined;
  };

  app.post('/:id/photos', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const page = pageFor(t.rec, (req.params as { id: string }).id);
    if (!page) return permissionDenied(reply);
    const url = field(req.body, 'url');
    if (!url || !/^https?:\/\//.test(url)) return graphError(reply, 400, { message: '(#324) Requires upload file', type: 'OAuthException', code: 324 });
    const photoId = String(200_000_000_000 + core.nextId());
    const published = field(req.body, 'published') !== 'false';
    core.postList.push({ id: photoId, accountId: page.id, text: field(req.body, 'message') ?? '', media: [url], createdAt: new Date(), unpublished: !published });
    if (!published) return reply.send({ id: photoId });
    await core.afterCreate();
    return reply.send({ id: photoId, post_id: `${page.id}_${photoId}` });
  });

  app.post('/:id/feed', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const page = pageFor(t.rec, (req.params as { id: string }).id);
    if (!page) return permissionDenied(reply);
    const message = field(req.body, 'message') ?? '';
    const media: string[] = [];
    for (let i = 0; field(req.body, `attached_media[${i}]`) !== undefined; i++) {
      let fbid: string | undefined;
      try {
        fbid = (JSON.parse(field(req.body, `attached_media[${i}]`) ?? '') as { media_fbid?: string }).media_fbid;
      } catch {
        fbid = undefined;
      }
      const photo = core.postList.find((p) => p.id === fbid && p.unpublished && p.accountId === page.id);
      if (!photo) return invalidParam(reply, `attached_media[${i}]: media_fbid is not a photo of this page`);
      media.push(photo.id);
    }
    if (!message && media.length === 0) return invalidParam(reply, 'Missing message or attachment');
    if (media.length > 10) return invalidParam(reply, 'Too many attached media');
    if (message && core.postList.some((p) => p.accountId === page.id && !p.unpublished && p.text === message && Date.now() - p.createdAt.getTime() < 60_000)) {
      return graphError(reply, 400, { message: '(#506) Duplicate status message', type: 'OAuthException', code: 506 });
    }
    const id = `${page.id}_${300_000_000_000 + core.nextId()}`;
    core.postList.push({ id, accountId: page.id, text: message, media, createdAt: new Date() });
    await core.afterCreate();
    return reply.send({ id });
  });

  app.get('/:id/feed', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const pageId = (req.params as { id: string }).id;
    const q = req.query as Record<string, string | undefined>;
    const since = q.since ? Number(q.since) * 1000 : 0;
    const data = core.postList
      .filter((p) => p.accountId === pageId && !p.unpublished && !p.inReplyTo && p.createdAt.getTime() >= since)
      .reverse()
      .slice(0, Number(q.limit ?? 25))
      .map((p) => ({ id: p.id, message: p.text || undefined, created_time: p.createdAt.toISOString().replace(/\.\d{3}Z$/, '+0000'), permalink_url: `https://www.facebook.com/${p.id}` }));
    return reply.send({ data, paging: {} });
  });

  app.get('/:id/comments', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const list = comments.get((req.params as { id: string }).id) ?? [];
    return reply.send({ data: list.map((c) => ({ id: c.id, message: c.message, from: { id: c.from, name: pages.get(c.from)?.name }, created_time: c.created.toISOString() })), paging: {} });
  });

  app.post('/:id/comments', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const target = (req.params as { id: string }).id;
    const message = field(req.body, 'message');
    if (!message) return invalidParam(reply, 'Missing message');
    const id = `${target}_${400_000_000_000 + core.nextId()}`;
    const list = comments.get(target) ?? [];
    list.push({ id, message, from: t.rec.subject, created: new Date() });
    comments.set(target, list);
    core.postList.push({ id, accountId: t.rec.subject, text: message, media: [], createdAt: new Date(), inReplyTo: target });
    await core.afterCreate();
    return reply.send({ id });
  });

  app.get('/:id', async (req, reply) => {
    const t = await guard(req, reply);
    if (!t) return reply;
    const id = (req.params as { id: string }).id;
    const p = core.postList.find((x) => x.id === id);
    if (!p) return graphError(reply, 400, { message: `Unsupported get request. Object with ID '${id}' does not exist`, type: 'GraphMethodException', code: 100, error_subcode: 33 });
    const n = comments.get(id)?.length ?? 0;
    return reply.send({ id, shares: { count: 0 }, reactions: { data: [], summary: { total_count: 0 } }, comments: { data: [], summary: { total_count: n } } });
  });

  return ({ username }) => {
    const { user, page } = newUser(username);
    const userToken = core.issue(token('EAAL'), { kind: 'user', subject: user.id, scopes: ['pages_manage_posts', 'pages_read_engagement', 'pages_show_list'], expiresAt: Date.now() + LONG_TTL_MS });
    return { accountId: page.id, accessToken: pageToken(page, userToken), refreshToken: null, username: user.name, userAccessToken: userToken };
  };
}
