import { RateBudgets, type WindowUse } from './rate-budgets';

const MIN = 60_000;
const now = Date.parse('2026-11-25T12:00:00Z');

function budgets(use: Record<string, WindowUse>): RateBudgets {
  return new RateBudgets(new Map(Object.entries(use)), () => now);
}

describe('RateBudgets', () => {
  it("lets X sends through until an account's 100 per 15 minutes are spent, then names the limit and when it frees", () => {
    const nth = new Date(now - 10 * MIN);
    const b = budgets({ [`account:a1|${15 * MIN}|100`]: { sent: 99, nth: null } });
    expect(b.take('TWITTER', 'a1')).toEqual({ ok: true });
    // This round's own send filled the window: look again shortly, when the database has it.
    expect(b.take('TWITTER', 'a1')).toMatchObject({ ok: false, until: new Date(now + 1000) });
    const full = budgets({ [`account:a1|${15 * MIN}|100`]: { sent: 100, nth } });
    expect(full.take('TWITTER', 'a1')).toEqual({
      ok: false,
      until: new Date(nth.getTime() + 15 * MIN),
      reason: 'TWITTER: 100 POST /2/tweets per 15 minutes per account reached; waiting for the window to move',
    });
    // Another account is not affected.
    expect(full.take('TWITTER', 'a2')).toEqual({ ok: true });
  });

  it("shares X's app-wide daily budget between every account", () => {
    const nth = new Date(now - 60 * MIN);
    const b = budgets({ [`app:TWITTER|${24 * 60 * MIN}|10000`]: { sent: 10_000, nth } });
    const decision = b.take('TWITTER', 'any-account');
    expect(decision).toMatchObject({ ok: false, until: new Date(nth.getTime() + 24 * 60 * MIN) });
    expect(decision.ok === false && decision.reason).toContain('for the whole app');
  });

  it('does not limit networks without documented publish limits', () => {
    const b = budgets({});
    for (let i = 0; i < 1000; i++) expect(b.take('FACEBOOK', 'page').ok).toBe(true);
  });

  it("counts LinkedIn's 150 posts a day per member", () => {
    const b = budgets({ [`account:m1|${24 * 60 * MIN}|150`]: { sent: 149, nth: null } });
    expect(b.take('LINKEDIN', 'm1').ok).toBe(true);
    expect(b.take('LINKEDIN', 'm1').ok).toBe(false);
  });
});
