import { ConnectorError, type ConnectorErrorKind } from '@lib/connectors';

/** Runs `fn`, expects a ConnectorError of `kind`, and returns it for further checks. */
export async function expectConnectorError(fn: () => Promise<unknown>, kind: ConnectorErrorKind): Promise<ConnectorError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConnectorError);
  const e = caught as ConnectorError;
  if (e.kind !== kind) throw new Error(`expected a ${kind} error, got ${e.kind}: ${e.message}`);
  return e;
}

/** Follows the emulator's auto-approving authorize page and returns the redirect's query. */
export async function approve(authorizeUrl: string): Promise<URLSearchParams> {
  const res = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = res.headers.get('location');
  expect(location).toBeTruthy();
  return new URL(location ?? '').searchParams;
}

/** A breaker that never opens during a test file (one test checks opening on purpose). */
export const NO_TRIP = { volumeThreshold: 1_000 };
