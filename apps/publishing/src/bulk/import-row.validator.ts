import { plainToInstance } from 'class-transformer';
import { isURL, validateSync } from 'class-validator';
import { validate, type ContentMedia } from '@lib/connectors';
import { PLATFORMS, type Platform } from '@lib/contracts';
import { fieldErrorsOf } from '@lib/service-kit';
import type { ApprovalConfig } from '../approvals/approval-config';
import { ContentOverrideRequest } from '../posts/dto/post.requests';
import { workflowApplies } from '../approvals/approval-policy';
import { publishText } from '../scheduler/compose-text';
import type { PostContent } from '../posts/post.entity';
import { splitList } from './csv-cells';
import { monthOf, parseCsvTime } from './csv-time';
import type { CsvRow } from './import-csv.parser';
import type { ImportGrants } from './post-import.entity';
import type { RowError, RowPlan } from './post-import-row.entity';

export interface AccountRef {
  id: string;
  platform: Platform;
  username: string;
}

export interface CampaignRef {
  id: string;
  name: string;
  utmParams: Record<string, string>;
}

export interface MediaRef {
  id: string;
  media: ContentMedia;
}

/** What the file may refer to, loaded once per import. */
export interface ImportReferences {
  /** Every active account of the workspace. */
  accounts: AccountRef[];
  /** The workspace's campaigns the file names, by id or by name. */
  campaigns: CampaignRef[];
  /** The workspace's media assets the file names. */
  media: MediaRef[];
}

/** The plan's scheduled posts per month, and what each month already holds. */
export interface ScheduleQuota {
  plan: string;
  max: number;
  /** Scheduled, publishing or published posts per `yyyy-MM` of the workspace's zone. */
  used: Map<string, number>;
}

/** An active APPROVAL workflow of the workspace (config null: it no longer validates, and applies to everything). */
export interface ApprovalRule {
  name: string;
  config: ApprovalConfig | null;
}

export interface ValidationContext {
  refs: ImportReferences;
  /** Scheduling must not go around a review: a row a workflow applies to can only come in as a draft. */
  approvals: readonly ApprovalRule[];
  /** The workspace's IANA zone: local times in the file are read in it. */
  timeZone: string;
  now: Date;
  grants: ImportGrants;
  quota: ScheduleQuota | null;
}

export interface RowOutcome {
  row: number;
  line: number;
  status: 'VALID' | 'INVALID';
  errors: RowError[];
  plan: RowPlan | null;
}

export const LIMITS = { text: 100_000, networks: 9, media: 35, tags: 50, tagLength: 50, hashtags: 100, hashtagLength: 100, mentions: 100, mentionLength: 100 } as const;
const OVERRIDE_FIELDS = ['text', 'hashtags', 'mentions', 'link'] as const;
const OVERRIDES_EXAMPLE = '{"TWITTER": {"text": "…"}}';
/** Like scheduling: a time up to a minute ago is still "now" (clock skew, a slow queue). */
const PAST_TOLERANCE_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ALIASES: Record<string, Platform> = { X: 'TWITTER' };

interface Lookups {
  accountById: Map<string, AccountRef>;
  accountsByPlatform: Map<Platform, AccountRef[]>;
  campaignById: Map<string, CampaignRef>;
  campaignsByName: Map<string, CampaignRef[]>;
  mediaById: Map<string, MediaRef>;
}

function lookups(refs: ImportReferences): Lookups {
  const accountsByPlatform = new Map<Platform, AccountRef[]>();
  for (const a of refs.accounts) accountsByPlatform.set(a.platform, [...(accountsByPlatform.get(a.platform) ?? []), a]);
  const campaignsByName = new Map<string, CampaignRef[]>();
  for (const c of refs.campaigns) campaignsByName.set(c.name, [...(campaignsByName.get(c.name) ?? []), c]);
  return {
    accountById: new Map(refs.accounts.map((a) => [a.id.toLowerCase(), a])),
    accountsByPlatform,
    campaignById: new Map(refs.campaigns.map((c) => [c.id.toLowerCase(), c])),
    campaignsByName,
    mediaById: new Map(refs.media.map((m) => [m.id.toLowerCase(), m])),
  };
}

/**
 * Checks every row and reports every problem of every row (nothing stops at the first one):
 * cells, references (accounts, campaign, media of this workspace), the caller's grants and the
 * approval workflows (as scheduling checks them), the time, the content against each target network's limits (the text exactly as it will be
 * sent), duplicates within the file, and the plan's monthly quota of scheduled posts.
 */
export function validateRows(rows: readonly CsvRow[], ctx: ValidationContext): RowOutcome[] {
  const l = lookups(ctx.refs);
  const seen = new Map<string, number>();
  const pendingByMonth = new Map<string, number>();
  return rows.map((r) => {
    const { errors, plan, key } = validateRow(r, ctx, l);
    if (key !== null) {
      const first = seen.get(key);
      if (first !== undefined) errors.push({ column: null, message: `duplicate of row ${first} (same text, networks and time)` });
      else seen.set(key, r.row);
    }
    if (plan?.schedule && ctx.quota && !errors.length) {
      const month = monthOf(new Date(plan.scheduledAt!), ctx.timeZone);
      const used = (ctx.quota.used.get(month) ?? 0) + (pendingByMonth.get(month) ?? 0);
      if (used >= ctx.quota.max) {
        errors.push({ column: 'scheduledAt', message: `the ${ctx.quota.plan} plan allows ${ctx.quota.max} scheduled posts per month; ${month} (${ctx.timeZone}) is full` });
      } else pendingByMonth.set(month, (pendingByMonth.get(month) ?? 0) + 1);
    }
    return errors.length
      ? { row: r.row, line: r.line, status: 'INVALID' as const, errors, plan: null }
      : { row: r.row, line: r.line, status: 'VALID' as const, errors: [], plan };
  });
}

function validateRow(r: CsvRow, ctx: ValidationContext, l: Lookups): { errors: RowError[]; plan: RowPlan | null; key: string | null } {
  const errors: RowError[] = [];
  const err = (column: string | null, message: string) => errors.push({ column, message });
  const c = r.cells;

  if (r.fieldCount) err(null, `the row has ${r.fieldCount.actual} cells but the header has ${r.fieldCount.expected}; quote cells that contain commas`);

  const text = c.text ?? '';
  const hasText = text.trim().length > 0;
  if (!hasText) err('text', 'required');
  else if ([...text].length > LIMITS.text) err('text', `at most ${LIMITS.text} characters`);

  const accounts = resolveNetworks(c.networks, l, err);
  if (accounts.length > LIMITS.networks) err('networks', `at most ${LIMITS.networks} networks per post`);
  const createPlatforms = ctx.grants.createPlatforms;
  for (const a of accounts) {
    if (createPlatforms && !createPlatforms.includes(a.platform)) err('networks', `your permissions do not cover posts on ${a.platform}`);
  }

  const link = c.link?.trim() || undefined;
  if (link && !isHttpUrl(link)) err('link', `'${link}' is not an http(s) URL`);
  const hashtags = splitList(c.hashtags, /[;,\s]+/);
  if (hashtags.length > LIMITS.hashtags) err('hashtags', `at most ${LIMITS.hashtags} hashtags`);
  if (hashtags.some((h) => h.length > LIMITS.hashtagLength)) err('hashtags', `each hashtag has at most ${LIMITS.hashtagLength} characters`);
  const mentions = splitList(c.mentions, /[;,\s]+/);
  if (mentions.length > LIMITS.mentions) err('mentions', `at most ${LIMITS.mentions} mentions`);
  if (mentions.some((m) => m.length > LIMITS.mentionLength)) err('mentions', `each mention has at most ${LIMITS.mentionLength} characters`);
  const overrides = resolveOverrides(c.overrides, accounts, splitList(c.networks), err);
  const tags = [...new Set(splitList(c.tags))];
  if (tags.length > LIMITS.tags) err('tags', `at most ${LIMITS.tags} tags`);
  if (tags.some((t) => t.length > LIMITS.tagLength)) err('tags', `each tag has at most ${LIMITS.tagLength} characters`);

  const campaign = resolveCampaign(c.campaign, l, err);
  const media = resolveMedia(c.media, l, ctx.grants, err);

  let at: Date | null = null;
  const time = c.scheduledAt?.trim();
  if (time) {
    const parsed = parseCsvTime(time, ctx.timeZone);
    if ('error' in parsed) err('scheduledAt', parsed.error);
    else at = parsed.at;
  }
  const schedule = at !== null && r.status?.toUpperCase() !== 'DRAFT';
  if (schedule && at) {
    if (at.getTime() < ctx.now.getTime() - PAST_TOLERANCE_MS) err('scheduledAt', `${time} has passed; pick a future time, or leave it empty to import a draft`);
    if (!accounts.length && !c.networks?.trim()) err('networks', 'a row with a time is scheduled and needs at least one network');
    if (!ctx.grants.publish) {
      err('scheduledAt', 'scheduling needs the posts:publish permission; leave scheduledAt empty (or set status to DRAFT) to import a draft');
    } else {
      const allowed = ctx.grants.publish.platforms;
      for (const a of accounts) if (allowed && !allowed.includes(a.platform)) err('networks', `your permissions do not cover scheduling on ${a.platform}`);
    }
    const facts = { platforms: accounts.map((a) => a.platform), campaignId: campaign?.id ?? null, authorRole: ctx.grants.role };
    const review = ctx.approvals.find((w) => !w.config || workflowApplies(w.config, facts));
    if (review) {
      err('scheduledAt', `the approval workflow "${review.name}" applies to this post; import it as a draft (no scheduledAt, or status DRAFT) and submit it for approval`);
    }
  }

  // The content must fit every target network: the text as it will be sent, with the media.
  // Media still to be fetched from URLs is checked once it is in the library; the text now.
  if (hasText) {
    const content: PostContent = { text, ...(hashtags.length ? { hashtags } : {}), ...(link ? { link } : {}) };
    const pending = media.some((m) => typeof m === 'string');
    const known = media.filter((m): m is MediaRef => typeof m !== 'string');
    for (const e of contentErrors(content, accounts, known, campaign, overrides)) if (!pending || e.column !== 'media') errors.push(e);
  }

  const key = hasText ? JSON.stringify([text.trim(), accounts.map((a) => a.id).sort(), at?.getTime() ?? time ?? null]) : null;
  if (errors.length) return { errors, plan: null, key };
  return {
    errors,
    key,
    plan: {
      text,
      ...(hashtags.length ? { hashtags } : {}),
      ...(link ? { link } : {}),
      ...(mentions.length ? { mentions } : {}),
      ...(Object.keys(overrides).length ? { overrides } : {}),
      accountIds: accounts.map((a) => a.id),
      scheduledAt: at?.toISOString() ?? null,
      schedule,
      mediaIds: media.map((m) => (typeof m === 'string' ? m : m.id)),
      campaignId: campaign?.id ?? null,
      tags,
    },
  };
}

function resolveNetworks(cell: string | undefined, l: Lookups, err: (column: string, message: string) => void): AccountRef[] {
  const out: AccountRef[] = [];
  for (const token of splitList(cell)) {
    let account: AccountRef | undefined;
    if (UUID.test(token)) {
      account = l.accountById.get(token.toLowerCase());
      if (!account) err('networks', `${token} is not a connected account of this workspace`);
    } else {
      const platform = platformNamed(token);
      if (!platform) {
        err('networks', unknownNetwork(token));
        continue;
      }
      const candidates = l.accountsByPlatform.get(platform) ?? [];
      if (!candidates.length) err('networks', `no ${platform} account is connected`);
      else if (candidates.length > 1) {
        err('networks', `${candidates.length} ${platform} accounts are connected (${candidates.map((a) => `@${a.username} ${a.id}`).join(', ')}); name one by its account id`);
      } else account = candidates[0];
    }
    if (account && !out.includes(account)) out.push(account);
  }
  return out;
}

/**
 * `{"TWITTER": {"text": "…"}, "<account id>": {"hashtags": ["…"]}}`: per-network content, keyed as
 * the `networks` cell names them (a network of the row, or one of its account ids), with the
 * fields a post's `customContent` takes. By account id.
 */
function resolveOverrides(
  cell: string | undefined,
  accounts: readonly AccountRef[],
  networkTokens: readonly string[],
  err: (column: string, message: string) => void,
): Record<string, Partial<PostContent>> {
  const value = cell?.trim();
  if (!value) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (e) {
    err('overrides', `not valid JSON (${(e as Error).message}); write an object such as ${OVERRIDES_EXAMPLE}`);
    return {};
  }
  if (!isRecord(parsed)) {
    err('overrides', `a JSON object keyed by network or account id, such as ${OVERRIDES_EXAMPLE}`);
    return {};
  }
  const out: Record<string, Partial<PostContent>> = {};
  for (const [key, raw] of Object.entries(parsed)) {
    const account = overrideTarget(key, accounts);
    if (typeof account === 'string') {
      // A network the networks cell names but could not resolve has its error there already.
      if (!networkTokens.some((t) => sameNetwork(t, key))) err('overrides', account);
      continue;
    }
    if (out[account.id]) err('overrides', `${key}: a second entry for the same account`);
    const content = overrideContent(raw, (message) => err('overrides', `${key}: ${message}`));
    if (content && Object.keys(content).length) out[account.id] = content;
  }
  return out;
}

function overrideTarget(key: string, accounts: readonly AccountRef[]): AccountRef | string {
  const missing = `${key} is not one of this row's networks`;
  if (UUID.test(key)) return accounts.find((a) => a.id.toLowerCase() === key.toLowerCase()) ?? missing;
  const platform = platformNamed(key);
  if (!platform) return unknownNetwork(key);
  const on = accounts.filter((a) => a.platform === platform);
  if (on.length > 1) return `${key}: the row has ${on.length} ${platform} accounts; key the override by account id`;
  return on[0] ?? missing;
}

function sameNetwork(a: string, b: string): boolean {
  const norm = (t: string) => (UUID.test(t) ? t.toLowerCase() : (platformNamed(t) ?? t));
  return norm(a) === norm(b);
}

/** A network by name, in any case (`X` is TWITTER); null for anything else. */
function platformNamed(token: string): Platform | null {
  const upper = token.toUpperCase();
  return ALIASES[upper] ?? ((PLATFORMS as readonly string[]).includes(upper) ? (upper as Platform) : null);
}

const unknownNetwork = (token: string) => `unknown network '${token}'; use a network (${PLATFORMS.join(', ')}) or an account id`;

/** One override, checked by the posts API's own `customContent` rules; null when unusable. */
function overrideContent(raw: unknown, err: (message: string) => void): Partial<PostContent> | null {
  if (!isRecord(raw)) {
    err(`an object with ${OVERRIDE_FIELDS.join(', ')}`);
    return null;
  }
  const problems = fieldErrorsOf(validateSync(plainToInstance(ContentOverrideRequest, raw), { whitelist: true, forbidNonWhitelisted: true }));
  for (const p of problems) for (const m of p.messages) err(m);
  if (problems.length) return null;
  const out: Partial<PostContent> = {};
  for (const field of OVERRIDE_FIELDS) if (raw[field] !== undefined) Object.assign(out, { [field]: raw[field] });
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function resolveCampaign(cell: string | undefined, l: Lookups, err: (column: string, message: string) => void): CampaignRef | null {
  const value = cell?.trim();
  if (!value) return null;
  if (UUID.test(value)) {
    const byId = l.campaignById.get(value.toLowerCase());
    if (byId) return byId;
  }
  const byName = l.campaignsByName.get(value) ?? [];
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) err('campaign', `${byName.length} campaigns are named '${value}'; use the campaign id`);
  else err('campaign', `no campaign '${value}' in this workspace (use its id or exact name)`);
  return null;
}

/** Media ids resolved; URLs (to fetch into the library later) kept as strings, in the file's order. */
function resolveMedia(cell: string | undefined, l: Lookups, grants: ImportGrants, err: (column: string, message: string) => void): (MediaRef | string)[] {
  const tokens = splitList(cell);
  if (tokens.length > LIMITS.media) err('media', `at most ${LIMITS.media} media per post`);
  const out: (MediaRef | string)[] = [];
  for (const token of tokens) {
    if (UUID.test(token)) {
      const m = l.mediaById.get(token.toLowerCase());
      if (!m) err('media', `${token} is not a media asset of this workspace`);
      else if (!out.includes(m)) out.push(m);
    } else if (isMediaUrl(token)) {
      if (!isHttpUrl(token)) err('media', `'${token}' is not a valid http(s) URL`);
      else if (!grants.mediaCreate) err('media', `${token}: media URLs are uploaded to the media library, which needs the media:create permission`);
      else if (!out.includes(token)) out.push(token);
    } else {
      err('media', `'${token}' is neither a media asset id nor an http(s) URL`);
    }
  }
  return out;
}

export function isMediaUrl(value: string): boolean {
  return /^https?:\/\//i.test(value);
}

/** Every network's problems with the content as it will be sent (text composed, campaign UTM), by column. */
function contentErrors(
  content: PostContent,
  accounts: readonly AccountRef[],
  media: readonly MediaRef[],
  campaign: CampaignRef | null,
  overrides: Readonly<Record<string, Partial<PostContent>>> = {},
): RowError[] {
  return accounts.flatMap((a) =>
    validate(a.platform, { text: publishText(content, overrides[a.id] ?? null, a.platform, campaign?.utmParams), media: media.map((m) => m.media) }).map((p) => ({
      column: p.field.startsWith('media') ? 'media' : 'text',
      message: `${p.platform}: ${p.message}`,
    })),
  );
}

/**
 * A valid row whose media URLs are now assets (`plan.mediaIds` all ids): its content against
 * every target network again, with those media.
 */
export function checkFetchedMedia(plan: RowPlan, refs: ImportReferences, media: readonly MediaRef[]): RowError[] {
  const accounts = plan.accountIds.map((id) => refs.accounts.find((a) => a.id === id)).filter((a): a is AccountRef => !!a);
  const campaign = refs.campaigns.find((c) => c.id === plan.campaignId) ?? null;
  const byId = new Map(media.map((m) => [m.id, m]));
  const ordered = plan.mediaIds.map((id) => byId.get(id)).filter((m): m is MediaRef => !!m);
  return contentErrors(planContent(plan), accounts, ordered, campaign, plan.overrides);
}

/** The post's own content, as a row plans it. */
export function planContent(plan: RowPlan): PostContent {
  return { text: plan.text, ...(plan.hashtags ? { hashtags: plan.hashtags } : {}), ...(plan.mentions ? { mentions: plan.mentions } : {}), ...(plan.link ? { link: plan.link } : {}) };
}

/** As the posts API checks a link. */
function isHttpUrl(value: string): boolean {
  return isURL(value, { require_protocol: true, protocols: ['http', 'https'] });
}
