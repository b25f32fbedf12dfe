import { MockAgent } from 'undici';
import { ConnectorError } from './connector-error';
import { NetworkHttp, type HttpAnswer, type HttpCall } from './network-http';

const ORIGIN = 'http://network.test';
const TOKEN = 'tok_SECRET_1234567890';

function setup() {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const classify = jest.fn((a: HttpAnswer) => new ConnectorError('TWITTER', 'auth', `refused ${TOKEN} (HTTP ${a.status})`, { httpStatus: a.status }));
  const observe = jest.fn<void, [HttpAnswer, HttpCall]>();
  const http = new NetworkHttp('TWITTER', { timeoutMs: 1_000, dispatcher: agent, breaker: { volumeThreshold: 1_000 } }, classify, observe);
  return { agent, pool: agent.get(ORIGIN), classify, observe, http };
}

const call = (over: Partial<HttpCall> = {}): HttpCall => ({ method: 'POST', url: `${ORIGIN}/2/tweets`, sideEffect: true, secrets: [TOKEN], account: 'acct-1', ...over });

describe('NetworkHttp', () => {
  it('returns 2xx answers and shows every answer to the observer', async () => {
    const { pool, http, observe, classify } = setup();
    pool.intercept({ path: '/2/tweets', method: 'POST' }).reply(201, '{"data":{"id":"1"}}', { headers: { 'x-rate-limit-remaining': '99' } });
    const a = await http.call(call());
    expect(a).toMatchObject({ status: 201, text: '{"data":{"id":"1"}}' });
    expect(observe).toHaveBeenCalledWith(expect.objectContaining({ status: 201, headers: expect.objectContaining({ 'x-rate-limit-remaining': '99' }) }), expect.objectContaining({ account: 'acct-1' }));
    expect(classify).not.toHaveBeenCalled();
  });

  it('classifies error answers with the network classifier and removes the call\'s secrets from the message', async () => {
    const { pool, http } = setup();
    pool.intercept({ path: '/2/tweets', method: 'POST' }).reply(401, '{"title":"Unauthorized"}');
    const err = (await http.call(call()).catch((e: unknown) => e)) as ConnectorError;
    expect(err.kind).toBe('auth');
    expect(err.message).toBe('TWITTER: refused [redacted] (HTTP 401)');
  });

  it('a connection lost after a create was sent is unknown_outcome; on a read it is transient', async () => {
    const { pool, http } = setup();
    const lost = () => Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    pool.intercept({ path: '/2/tweets', method: 'POST' }).replyWithError(lost());
    pool.intercept({ path: '/2/users/me', method: 'GET' }).replyWithError(lost());
    const create = (await http.call(call()).catch((e: unknown) => e)) as ConnectorError;
    expect(create.kind).toBe('unknown_outcome');
    expect(create.message).toContain('may have been applied');
    const read = (await http.call(call({ method: 'GET', url: `${ORIGIN}/2/users/me`, sideEffect: false })).catch((e: unknown) => e)) as ConnectorError;
    expect(read.kind).toBe('transient');
  });

  it('a refused connection is transient even for a create: nothing was sent', async () => {
    const { pool, http } = setup();
    pool.intercept({ path: '/2/tweets', method: 'POST' }).replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    const err = (await http.call(call()).catch((e: unknown) => e)) as ConnectorError;
    expect(err.kind).toBe('transient');
    expect(err.message).toContain('ECONNREFUSED');
  });
});
