import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { ROOT } from './env';

export interface Spawned {
  name: string;
  child: ChildProcess;
  /** Every line the process wrote, stdout and stderr, for tests and crash reports. */
  lines: string[];
  exited: Promise<number | null>;
}

const COLORS = [36, 32, 33, 35, 34, 31, 96, 92, 93];
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** One pino JSON line → `name  LEVEL message {correlationId}`; anything else unchanged. */
export function formatLine(name: string, line: string, color: number | null): string {
  let text = line;
  try {
    const j = JSON.parse(line) as { level?: number; msg?: string; correlationId?: string; err?: unknown; context?: string };
    if (typeof j.level === 'number') {
      const extras = { ...j } as Record<string, unknown>;
      for (const k of ['level', 'time', 'pid', 'hostname', 'service', 'msg', 'context', 'correlationId']) delete extras[k];
      const rest = Object.keys(extras).length ? ` ${JSON.stringify(extras)}` : '';
      text = `${(LEVELS[j.level] ?? j.level).toString().padEnd(5)} ${j.context ? `[${j.context}] ` : ''}${j.msg ?? ''}${rest}${j.correlationId ? ` (${j.correlationId})` : ''}`;
    }
  } catch {
    // not JSON: print as is
  }
  const label = name.padEnd(11);
  return color === null ? `${label} ${text}` : `\x1b[${color}m${label}\x1b[0m ${text}`;
}

/** Starts a compiled script (path relative to dist/) with its own env on top of this one's. */
export function spawnNode(
  name: string,
  script: string,
  env: Record<string, string>,
  opts: { echo?: boolean; index?: number } = {},
): Spawned {
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(ROOT, 'dist', script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const color = process.stdout.isTTY ? COLORS[(opts.index ?? 0) % COLORS.length] : null;
  for (const stream of [child.stdout, child.stderr]) {
    readline.createInterface({ input: stream }).on('line', (line) => {
      lines.push(line);
      if (lines.length > 5000) lines.splice(0, 1000);
      if (opts.echo) process.stdout.write(`${formatLine(name, line, color)}\n`);
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, lines, exited };
}

/** Polls a URL until it answers 200, the process exits, or the deadline passes. */
export async function waitForHealthy(url: string, proc: Spawned | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void proc?.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${proc?.name} exited before it was healthy:\n${proc?.lines.slice(-20).join('\n')}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms${proc ? `:\n${proc.lines.slice(-20).join('\n')}` : ''}`);
}

export async function stopProcess(p: Spawned, timeoutMs = 10_000): Promise<number | null> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.child.exitCode;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  return code;
}
