import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { bearer, field, token, type EmulatorCore, type NetworkErrors, type SeededAccount, type TokenRecord } from './core';

// LinkedIn as the connector uses it: 3-legged OAuth (refresh tokens as for approved partners,
// not rotated), /v2/userinfo, versioned /rest/posts and /rest/images.
const ACCESS_TTL_MS = 60 * 24 * 3600_000;
const REFRESH_TTL_MS = 365 * 24 * 3600_000;
/** Versions stay active for about a year after release. */
const ACTIVE_MONTHS = 12;

function liError(reply: FastifyReply, status: number, body: { message: string; code?: string; serviceErrorCode?: number }): FastifyReply {
  return reply.code(status).send({ status, ...body });
}

export const linkedinErrors: NetworkErrors = {
  unauthorized: (reply, why) =>
    liError(
      reply,
      401,
      why === 'expired'
        ? { serviceErrorCode: 65601, code: 'EXPIRED_ACCESS_TOKEN', message: 'The token used in the request has expired' }
        : why === 'revoked'
          ? { serviceErrorCode: 65602, code: 'REVOKED_ACCESS_TOKEN', message: 'The token used in the request has been revoked by the user' }
          : why === 'missing'
            ? { serviceErrorCode: 401, message: 'Empty oauth2_access_token' }
            : { serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN', message: 'Invalid access token' },
    ),
  rateLimited: (reply, untilMs) =>
    liError(reply.header('retry-after', String(Math.max(1, Math.ceil((untilMs - Date.now()) / 1000)))), 429, {
      serviceErrorCode: 101,
      code: 'TOO_MANY_REQUESTS',
      message: 'Resource level throttle APPLICATION AND MEMBER DAY limit for calls to this resource is reached.',
    }),
  serverError: (reply) => liError(reply, 500, { message: 'Internal Server Error' }),
};

/** Months between a YYYYMM version and now; NaN when malformed. */
function versionAge(version: string, now = new Date()): number {
  const m = /^(\d{4})(\d{2})(?:\.\d{2})?$/.exec(version);
  if (!m) return Number.NaN;
  return (now.getUTCFullYear() - Number(m[1])) * 12 + (now.getUTCMonth() + 1 - Number(m[2]));
}

export function registerLinkedIn(app: FastifyInstance, core: EmulatorCore): (opts: { username?: string }) => SeededAccount {
  const members = new Map<string, { sub: string; name: string; email: string }>();
  const images = new Map<string, { owner: string; uploaded: boolean }>();

  const newMember = (name?: string): { sub: string; name: string; email: string } => {
    const sub = `m${core.nextId()}${token('').slice(0, 6)}`;
    const m = { sub, name: name ?? `Member ${sub}`, email: `${sub}@example.test` };
    members.set(sub, m);
    return m;
  };
  const urnOf = (sub: string): string => `urn:li:person:${sub}`;

  /** Faults, auth, and for /rest the version headers. */
  const guard = async (req: FastifyRequest, reply: FastifyReply, versioned: boolean): Promise<TokenRecord | null> => {
    if (await core.gate(reply, linkedinErrors)) return null;
    if (versioned) {
      const version = req.headers['linkedin-version'];
      if (typeof version !== 'string' || !version) {
        liError(reply, 400, { code: 'VERSION_MISSING', message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.' });
        return null;
      }
      const age = versionAge(version);
      if (!(age >= 0 && age <= ACTIVE_MONTHS)) {
        liError(reply, 426, { code: 'NONEXISTENT_VERSION', message: `Requested version ${version} is not active` });
        return null;
      }
      if (req.headers['x-restli-protocol-version'] !== '2.0.0') {
        liError(reply, 400, { code: 'ILLEGAL_ARGUMENT', message: 'X-Restli-Protocol-Version: 2.0.0 is required for this resource' });
        return null;
      }
    }
    const t = core.check(bearer(req), ['access']);
    if (!t.ok) {
      linkedinErrors.unauthorized(reply, t.why);
      return null;
    }
    return t.token;
  };
  const issue = (sub: string, clientId: string | undefined, scopes: string[]): { access: string; refresh: string } => ({
    access: core.issue(token('AQV'), { kind: 'access', subject: sub, clientId, scopes, expiresAt: Date.now() + ACCESS_TTL_MS }),
    refresh: core.issue(token('AQX'), { kind: 'refresh', subject: sub, clientId, scopes, expiresAt: Date.now() + REFRESH_TTL_MS }),
  });
  const oauthError = (reply: FastifyReply, status: number, error: string, description: string): FastifyReply => reply.code(status).send({ error, error_description: description });

  app.get('/oauth/v2/authorization', async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (q.response_type !== 'code' || !q.client_id || !q.redirect_uri) return reply.code(400).send('missing response_type, client_id or redirect_uri');
    const approval = core.takeApproval();
    const m = (approval && members.get(approval.accountId.replace(/^urn:li:person:/, ''))) || newMember();
    const code = token('AQT');
    core.codes.set(code, {
      clientId: q.client_id,
      redirectUri: q.redirect_uri,
      subject: m.sub,
      scopes: (q.scope ?? '').split(' ').filter(Boolean),
      expiresAt: Date.now() + 30 * 60_000,
      withoutRefreshToken: approval?.withoutRefreshToken,
    });
    const to = new URL(q.redirect_uri);
    to.searchParams.set('code', code);
    if (q.state) to.searchParams.set('state', q.state);
    return reply.redirect(to.toString(), 302);
  });

  app.post('/oauth/v2/accessToken', async (req, reply) => {
    if (await core.gate(reply, linkedinErrors)) return reply;
    const clientId = field(req.body, 'client_id');
    if (!clientId || !field(req.body, 'client_secret')) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed');
    const grant = field(req.body, 'grant_type');
    if (grant === 'authorization_code') {
      const code = field(req.body, 'code') ?? '';
      const c = core.codes.get(code);
      core.codes.delete(code);
      if (!c || c.expiresAt < Date.now() || c.clientId !== clientId) return oauthError(reply, 400, 'invalid_request', 'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired.');
      if (c.redirectUri !== field(req.body, 'redirect_uri')) return oauthError(reply, 400, 'invalid_redirect_uri', 'Unable to retrieve access token: redirect uri does not match');
      const pair = issue(c.subject, clientId, c.scopes);
      const refresh = c.withoutRefreshToken ? {} : { refresh_token: pair.refresh, refresh_token_expires_in: REFRESH_TTL_MS / 1000 };
      return reply.send({ access_token: pair.access, expires_in: ACCESS_TTL_MS / 1000, ...refresh, scope: c.scopes.join(',') });
    }
    if (grant === 'refresh_token') {
      const value = field(req.body, 'refresh_token');
      const t = core.check(value, ['refresh']);
      if (!t.ok || (t.token.clientId !== undefined && t.token.clientId !== clientId)) return oauthError(reply, 400, 'invalid_request', 'The provided authorization grant or refresh token is invalid, expired or revoked.');
      // Not rotated: the same refresh token comes back with its remaining lifetime.
      const access = core.issue(token('AQV'), { kind: 'access', subject: t.token.subject, clientId, scopes: t.token.scopes, expiresAt: Date.now() + ACCESS_TTL_MS });
      return reply.send({ access_token: access, expires_in: ACCESS_TTL_MS / 1000, refresh_token: value, refresh_token_expires_in: Math.floor((t.token.expiresAt - Date.now()) / 1000), scope: t.token.scopes.join(',') });
    }
    return oauthError(reply, 400, 'unsupported_grant_type', `grant_type ${grant ?? '(none)'} is not supported`);
  });

  app.post('/oauth/v2/revoke', async (req, reply) => {
    if (await core.gate(reply, linkedinErrors)) return reply;
    if (!field(req.body, 'client_id') || !field(req.body, 'client_secret')) return oauthError(reply, 401, 'invalid_client', 'Client authentication failed');
    const t = core.tokens.get(field(req.body, 'token') ?? '');
    if (t) t.revoked = true;
    return reply.code(200).send();
  });

  app.get('/v2/userinfo', async (req, reply) => {
    const t = await guard(req, reply, false);
    if (!t) return reply;
    const m = members.get(t.subject);
    const [given, ...family] = (m?.name ?? '').split(' ');
    return reply.send({ sub: t.subject, name: m?.name, given_name: given, family_name: family.join(' '), picture: `https://media.licdn.com/${t.subject}.jpg`, email: m?.email, email_verified: true, locale: { country: 'US', language: 'en' } });
  });

  app.post('/rest/posts', async (req, reply) => {
    const t = await guard(req, reply, true);
    if (!t) return reply;
    const body = (req.body ?? {}) as { author?: unknown; commentary?: unknown; lifecycleState?: unknown; content?: { media?: { id?: string }; multiImage?: { images?: { id?: string }[] } } };
    if (body.author !== urnOf(t.subject)) {
      return liError(reply, 403, { serviceErrorCode: 100, code: 'ACCESS_DENIED', message: `Not enough permissions to access: partnerApiPostsExternal.CREATE.NO_VERSION (author ${String(body.author)})` });
    }
    if (typeof body.commentary !== 'string' || body.lifecycleState !== 'PUBLISHED') {
      return liError(reply, 422, { code: 'UNPROCESSABLE_ENTITY', message: 'ERROR :: /commentary :: field is required; /lifecycleState must be PUBLISHED' });
    }
    if ([...body.commentary].length > 3000) return liError(reply, 422, { code: 'UNPROCESSABLE_ENTITY', message: 'ERROR :: /commentary :: length exceeds 3000' });
    const media = body.content?.multiImage?.images?.map((i) => i.id ?? '') ?? (body.content?.media?.id ? [body.content.media.id] : []);
    for (const id of media) {
      const img = images.get(id);
      if (!img?.uploaded || img.owner !== urnOf(t.subject)) return liError(reply, 422, { code: 'UNPROCESSABLE_ENTITY', message: `ERROR :: /content :: media ${id} is not an uploaded image of the author` });
    }
    if (media.length === 1 && body.content?.multiImage) return liError(reply, 422, { code: 'UNPROCESSABLE_ENTITY', message: 'ERROR :: /content/multiImage/images :: needs at least 2 images' });
    const dup = core.postList.find((p) => p.accountId === urnOf(t.subject) && !p.inReplyTo && p.text === body.commentary && media.length === p.media.length);
    if (dup) return liError(reply, 422, { code: 'DUPLICATE_POST', message: `Content is a duplicate of ${dup.id}` });
    const id = `urn:li:share:${7_100_000_000_000_000_000n + BigInt(core.nextId())}`;
    core.postList.push({ id, accountId: urnOf(t.subject), text: body.commentary, media, createdAt: new Date() });
    await core.afterCreate();
    return reply.code(201).header('x-restli-id', id).send();
  });

  app.get('/rest/posts', async (req, reply) => {
    const t = await guard(req, reply, true);
    if (!t) return reply;
    const q = req.query as Record<string, string | undefined>;
    if (q.q !== 'author' || !q.author) return liError(reply, 400, { code: 'ILLEGAL_ARGUMENT', message: 'q=author and author are required' });
    const start = Number(q.start ?? 0);
    const count = Math.min(Number(q.count ?? 10), 100);
    const all = core.postList.filter((p) => p.accountId === q.author && !p.inReplyTo).reverse();
    const elements = all.slice(start, start + count).map((p) => ({
      id: p.id,
      author: p.accountId,
      commentary: p.text,
      createdAt: p.createdAt.getTime(),
      publishedAt: p.createdAt.getTime(),
      lastModifiedAt: p.createdAt.getTime(),
      lifecycleState: 'PUBLISHED',
      visibility: 'PUBLIC',
      ...(p.media.length === 1 ? { content: { media: { id: p.media[0] } } } : p.media.length > 1 ? { content: { multiImage: { images: p.media.map((id) => ({ id })) } } } : {}),
    }));
    return reply.send({ elements, paging: { start, count, total: all.length } });
  });

  const comments = new Map<string, { urn: string; actor: string; text: string; created: number }[]>();

  app.get('/rest/socialActions/:urn', async (req, reply) => {
    const t = await guard(req, reply, true);
    if (!t) return reply;
    const urn = (req.params as { urn: string }).urn;
    if (!core.postList.some((p) => p.id === urn)) return liError(reply, 404, { code: 'NOT_FOUND', message: `${urn} does not exist` });
    const n = comments.get(urn)?.length ?? 0;
    return reply.send({ target: urn, likesSummary: { totalLikes: 0, likedByCurrentUser: false }, commentsSummary: { aggregatedTotalComments: n, totalFirstLevelComments: n } });
  });

  app.get('/rest/socialActions/:urn/comments', async (req, reply) => {
    const t = await guard(req, reply, true);
    if (!t) return reply;
    const list = comments.get((req.params as { urn: string }).urn) ?? [];
    return reply.send({ elements: list.map((c) => ({ $URN: c.urn, actor: c.actor, message: { text: c.text }, created: { time: c.created } })), paging: { start: 0, count: list.length, total: list.length } });
  });

  app.post('/rest/socialActions/:urn/comments', async (req, reply) => {
    const t = await guard(req, reply, true);
    if (!t) return reply;
    const urn = (req.params as { urn: string }).urn;
    const body = (req.body ?? {}) as { actor?: string; message?: { text?: string } };
    if (body.actor !== urnOf(t.subject)) return liError(reply, 403, { serviceErrorCode: 100, code: 'ACCESS_DENIED', message: `Not enough permissions to comment as ${String(body.actor)}` });
    if (!body.message?.text) return liError(reply, 422, { code: 'UNPROCESSABLE_ENTITY', message: 'ERROR :: /message/text :: field is required' });
    if (!core.postList.some((p) => p.id === urn)) return liError(reply, 404, { code: 'NOT_FOUND', message: `${urn} does not exist` });
    const commentUrn = `urn:li:comment:(${urn},${core.nextId()})`;
    const list = comments.get(urn) ?? [];
    list.push({ urn: commentUrn, actor: body.actor, text: body.message.text, created: Date.now() });
    comments.set(urn, list);
    core.postList.push({ id: commentUrn, accountId: body.actor, text: body.message.text, media: [], createdAt: new Date(), inReplyTo: urn });
    await core.afterCreate();
    return reply.code(201).header('x-restli-id', commentUrn).send({ $URN: commentUrn, actor: body.actor, message: { text: body.message.text } });
  });

  app.post('/rest/images', async (req, reply) => {
    const t = await guard(req, reply, true);
    if (!t) return reply;
    if ((req.query as Record<string, string | undefined>).action !== 'initializeUpload') return liError(reply, 400, { code: 'ILLEGAL_ARGUMENT', message: 'action=initializeUpload is required' });
    const owner = (req.body as { initializeUploadRequest?: { owner?: string } } | undefined)?.initializeUploadRequest?.owner;
    if (owner !== urnOf(t.subject)) return liError(reply, 403, { serviceErrorCode: 100, code: 'ACCESS_DENIED', message: `Not enough permissions to upload for ${String(owner)}` });
    const n = core.nextId();
    const urn = `urn:li:image:D4E${n}`;
    images.set(urn, { owner, uploaded: false });
    return reply.send({ value: { uploadUrlExpiresAt: Date.now() + 3600_000, uploadUrl: `${core.baseUrl}/dms-uploads/${encodeURIComponent(urn)}`, image: urn } });
  });

  app.put('/dms-uploads/:urn', async (req, reply) => {
    const t = await guard(req, reply, false);
    if (!t) return reply;
    const img = images.get((req.params as { urn: string }).urn);
    if (!img || img.owner !== urnOf(t.subject)) return liError(reply, 404, { message: 'Upload not found' });
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) return liError(reply, 400, { message: 'Empty upload' });
    if (req.body.length > 5 * 1024 * 1024) return liError(reply, 413, { message: 'Image exceeds 5 MB' });
    img.uploaded = true;
    return reply.code(201).send();
  });

  return ({ username }) => {
    const m = newMember(username);
    const pair = issue(m.sub, undefined, ['openid', 'profile', 'email', 'w_member_social']);
    return { accountId: urnOf(m.sub), accessToken: pair.access, refreshToken: pair.refresh, username: m.email };
  };
}
