import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const t = globalThis.__TEST_STACK__;
  if (!t) return;
  await t.stack.stop();
  fs.rmSync(t.dir, { recursive: true, force: true });
}
