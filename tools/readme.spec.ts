import fs from 'node:fs';
import path from 'node:path';
import { TOPICS } from '@lib/contracts';

const root = path.resolve(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

function* files(dir: string): Generator<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(full);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts')) yield full;
  }
}

describe('README stays true to the code', () => {
  it('documents every environment variable a service reads', () => {
    const names = new Set<string>();
    for (const dir of ['apps', 'libs/config']) {
      for (const file of files(path.join(root, dir))) {
        for (const m of fs.readFileSync(file, 'utf8').matchAll(/env\.(?:string|optional|int|bool|oneOf|url|hostList|list|pem|parsed)\(\s*'([A-Z0-9_]+)'/g)) {
          names.add(m[1]);
        }
      }
    }
    expect(names.size).toBeGreaterThan(15);
    const missing = [...names].filter((n) => !readme.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });

  it('lists exactly the catalogue in the topic table', () => {
    const table = readme.split('<!-- topics:start -->')[1]?.split('<!-- topics:end -->')[0] ?? '';
    const rows = table
      .split('\n')
      .filter((l) => l.startsWith('| `'))
      .map((l) => l.split('|').map((c) => c.trim()).slice(1, 7));
    const expected = Object.values(TOPICS).map((t) => [`\`${t.name}\``, String(t.partitions), t.key, t.payload, String(t.version), t.producer]);
    expect(rows).toEqual(expected);
  });
});
