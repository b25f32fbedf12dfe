#!/usr/bin/env node
// Compiles every TypeScript source to dist/ with swc (no type check: `npm run check` does that).
// Path aliases (@lib/*) are rewritten to relative requires so plain `node` can run the output.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const swc = require('@swc/core');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist');
const roots = ['apps', 'libs', 'tools', 'bench'];
const tsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));

function* walk(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || entry.name === 'test') continue;
      yield* walk(full);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && !entry.name.endsWith('.spec.ts')) {
      yield full;
    } else if (entry.name.endsWith('.json') && full.includes(`${path.sep}migrations${path.sep}`)) {
      yield full;
    }
  }
}

const options = (file) => ({
  filename: file,
  sourceMaps: true,
  module: { type: 'commonjs' },
  jsc: {
    target: 'es2022',
    baseUrl: root,
    paths: tsconfig.compilerOptions.paths,
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
    keepClassNames: true,
  },
});

let count = 0;
for (const top of roots) {
  for (const file of walk(path.join(root, top))) {
    const rel = path.relative(root, file);
    const target = path.join(out, rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (file.endsWith('.json')) {
      fs.copyFileSync(file, target);
      continue;
    }
    const src = fs.readFileSync(file, 'utf8');
    const result = swc.transformSync(src, options(file));
    fs.writeFileSync(target, `${result.code}\n//# sourceMappingURL=${path.basename(target)}.map\n`);
    if (result.map) fs.writeFileSync(`${target}.map`, result.map);
    count++;
  }
}
if (!process.argv.includes('--quiet')) process.stderr.write(`build: ${count} files compiled to dist/\n`);
