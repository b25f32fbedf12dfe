import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformFileSync } from '@swc/core';
import { startEmulator, type RunningEmulator } from './index';

const post = async (url: string, body: unknown = {}): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('emulator control API over HTTP', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator('twitter', { latencyMs: 30 });
  });
  afterAll(() => emu.stop());

  it('seeds accounts, injects faults, shows posts and calls', async () => {
    const seeded = (await (await post(`${emu.url}/_emulator/seed-account`, { username: 'acme' })).json()) as { accessToken: string; accountId: string; refreshToken: string; username: string };
    expect(seeded).toMatchObject({ username: 'acme', accountId: expect.stringMatching(/^\d+$/) });
    const auth = { authorization: `Bearer ${seeded.accessToken}`, 'content-type': 'application/json' };

    expect((await post(`${emu.url}/_emulator/fail-next`, { n: 1, kind: 'server_error' })).status).toBe(200);
    expect((await fetch(`${emu.url}/2/tweets`, { method: 'POST', headers: auth, body: JSON.stringify({ text: 'x' }) })).status).toBe(503);

    const started = Date.now();
    const ok = await fetch(`${emu.url}/2/tweets`, { method: 'POST', headers: auth, body: JSON.stringify({ text: 'hello' }) });
    expect(ok.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25); // latencyMs
    const posts = (await (await fetch(`${emu.url}/_emulator/posts`)).json()) as { text: string }[];
    expect(posts.map((p) => p.text)).toEqual(['hello']);
    const calls = (await (await fetch(`${emu.url}/_emulator/calls`)).json()) as { path: string; status: number }[];
    expect(calls.map((c) => `${c.path} ${c.status}`)).toEqual(['/2/tweets 503', '/2/tweets 201']);

    await post(`${emu.url}/_emulator/rate-limit`, { untilMs: Date.now() + 60_000 });
    const limited = await fetch(`${emu.url}/2/users/me`, { headers: auth });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('x-rate-limit-reset'))).toBeGreaterThan(Date.now() / 1000);
    await post(`${emu.url}/_emulator/reset`);

    await post(`${emu.url}/_emulator/expire-tokens`);
    const expired = await fetch(`${emu.url}/2/users/me`, { headers: auth });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ title: 'Unauthorized', status: 401 });
    expect((await post(`${emu.url}/_emulator/fail-next`, { n: 1, kind: 'nonsense' })).status).toBe(400);
  });

  it('weighs post text as X does: a long URL counts 23, CJK counts 2', async () => {
    const seeded = (await (await post(`${emu.url}/_emulator/seed-account`, { username: 'weigher' })).json()) as { accessToken: string };
    const tweet = (text: string) =>
      fetch(`${emu.url}/2/tweets`, { method: 'POST', headers: { authorization: `Bearer ${seeded.accessToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ text }) });
    const longUrl = `https://example.com/${'a'.repeat(300)}`;
    expect((await tweet(`${'x'.repeat(250)} ${longUrl}`)).status).toBe(201); // 250 + 1 + 23
    expect((await tweet('漢'.repeat(141))).status).toBe(400); // 282
    expect((await tweet('漢'.repeat(140))).status).toBe(201);
  });

  it('rejects an unknown token in each network\'s shape', async () => {
    const fb = await startEmulator('facebook');
    const li = await startEmulator('linkedin');
    try {
      const g = await fetch(`${fb.url}/v21.0/me`, { headers: { authorization: 'Bearer nope' } });
      expect(await g.json()).toMatchObject({ error: { type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) } });
      const l = await fetch(`${li.url}/v2/userinfo`, { headers: { authorization: 'Bearer nope' } });
      expect(l.status).toBe(401);
      expect(await l.json()).toMatchObject({ status: 401, serviceErrorCode: 65600, code: 'INVALID_ACCESS_TOKEN' });
    } finally {
      await fb.stop();
      await li.stop();
    }
  });
});

describe('emulator CLI', () => {
  it('prints "ready <url>", serves, and stops on SIGTERM', async () => {
    // Compile the emulator alone (it imports no @lib alias) so the CLI runs as it does from dist/.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'emulators-cli-'));
    try {
      for (const f of fs.readdirSync(__dirname).filter((n) => n.endsWith('.ts') && !n.endsWith('.spec.ts'))) {
        const { code } = transformFileSync(path.join(__dirname, f), { module: { type: 'commonjs' }, jsc: { target: 'es2022', parser: { syntax: 'typescript' } } });
        fs.writeFileSync(path.join(out, f.replace(/\.ts$/, '.js')), code);
      }
      const child = spawn(process.execPath, [path.join(out, 'main.js'), '--network', 'linkedin', '--port', '0'], {
        env: { ...process.env, NODE_PATH: path.resolve(__dirname, '../../../node_modules') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const url = await new Promise<string>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = /^ready (http:\/\/\S+)$/m.exec(buf);
          if (m) resolve(m[1]);
        });
        child.stderr.on('data', (d: Buffer) => reject(new Error(d.toString())));
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const seeded = (await (await post(`${url}/_emulator/seed-account`)).json()) as { accountId: string };
      expect(seeded.accountId).toMatch(/^urn:li:person:/);
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
