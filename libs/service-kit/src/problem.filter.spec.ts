import { BadRequestException, ServiceUnavailableException, type ArgumentsHost } from '@nestjs/common';
import type { Logger } from 'pino';
import { DomainError } from '@lib/contracts';
import { strictMock } from '@lib/testing';
import { ProblemFilter, statusForCode } from './problem.filter';

function run(exception: unknown): { status: number; body: Record<string, unknown>; type: string; logged: number; warned: number } {
  const sent: { status?: number; body?: Record<string, unknown>; type?: string } = {};
  const reply = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    header(name: string, value: string) {
      if (name === 'content-type') sent.type = value;
      return this;
    },
    send(body: Record<string, unknown>) {
      sent.body = body;
      return this;
    },
  };
  const host = strictMock<ArgumentsHost>({
    switchToHttp: () => ({ getResponse: () => reply, getRequest: () => ({ url: '/api/v1/x' }) }) as never,
  });
  const error = jest.fn();
  const warn = jest.fn();
  new ProblemFilter(strictMock<Logger>({ error, warn }, 'logger')).catch(exception, host);
  return { status: sent.status!, body: sent.body!, type: sent.type!, logged: error.mock.calls.length, warned: warn.mock.calls.length };
}

describe('ProblemFilter', () => {
  it('maps a domain error code to its status, as problem+json, keeping its details', () => {
    const out = run(new DomainError('PUBLISHING.ILLEGAL_TRANSITION', 'A DRAFT post cannot become DRAFT', { allowed: ['ARCHIVED'], detail: 'From DRAFT…' }));
    expect(out.status).toBe(409);
    expect(out.type).toContain('application/problem+json');
    expect(out.body).toMatchObject({ status: 409, code: 'PUBLISHING.ILLEGAL_TRANSITION', allowed: ['ARCHIVED'], detail: 'From DRAFT…', instance: '/api/v1/x' });
  });

  it('never lets a detail replace the problem’s own fields', () => {
    const out = run(new DomainError('PUBLISHING.POST_NOT_EDITABLE_CONFLICT', 'no', { status: 'ARCHIVED', code: 'FAKE', type: 'x' }));
    expect(out.body).toMatchObject({ status: 409, code: 'PUBLISHING.POST_NOT_EDITABLE_CONFLICT', type: 'urn:problem:publishing.post-not-editable-conflict' });
  });

  it('keeps field errors of a validation failure', () => {
    const out = run(new BadRequestException({ code: 'COMMON.VALIDATION_FAILED', errors: [{ field: 'email', messages: ['must be an email'] }] }));
    expect(out).toMatchObject({ status: 400, body: { code: 'COMMON.VALIDATION_FAILED', errors: [{ field: 'email', messages: ['must be an email'] }] } });
  });

  it('hides internals of an unexpected error behind a 500 and logs it', () => {
    const out = run(new Error('connection string postgres://u:secret@db'));
    expect(out.status).toBe(500);
    expect(JSON.stringify(out.body)).not.toContain('secret');
    expect(out.logged).toBe(1);
  });

  it('keeps which health checks failed and why (a warning, not an error with a stack)', () => {
    const answer = { status: 'error', info: { postgres: { status: 'up' } }, error: { publisher: { status: 'down', message: 'stuck' } }, details: {} };
    const out = run(new ServiceUnavailableException(answer));
    expect(out.status).toBe(503);
    expect(out.body).toMatchObject({ status: 503, code: 'COMMON.UNHEALTHY', detail: 'failing: publisher', info: answer.info, error: answer.error });
    expect([out.logged, out.warned]).toEqual([0, 1]);
  });

  it('derives statuses from code suffixes', () => {
    expect([statusForCode('X.NOT_FOUND'), statusForCode('X.RATE_LIMITED'), statusForCode('X.PLAN_LIMIT_REACHED'), statusForCode('X.WHATEVER')]).toEqual([404, 429, 422, 500]);
  });
});
