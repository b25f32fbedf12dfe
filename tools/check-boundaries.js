#!/usr/bin/env node
// Import-boundary and dependency check (part of `npm run check`):
//  - no app imports another app, and libs import no app;
//  - code that ships in the image (apps/*/src, libs/*/src except libs/testing) imports only
//    `dependencies`, never `devDependencies` (the runtime image installs with --omit=dev);
//  - every bare import is declared in package.json, and every @lib/<name> exists.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { builtinModules } = require('node:module');

const root = path.resolve(__dirname, '..');
const pkg = require(path.join(root, 'package.json'));
const deps = new Set(Object.keys(pkg.dependencies ?? {}));
const devDeps = new Set(Object.keys(pkg.devDependencies ?? {}));
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const libs = new Set(fs.readdirSync(path.join(root, 'libs')));
const problems = [];

function* walk(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!['node_modules', 'dist', '.data'].includes(e.name)) yield* walk(full);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield full;
  }
}

const IMPORT = /(?:import|export)\s+(?:type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

for (const top of ['apps', 'libs', 'tools', 'bench', 'test']) {
  const dir = path.join(root, top);
  if (!fs.existsSync(dir)) continue;
  for (const file of walk(dir)) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const isTest = /\.(spec|test)\.ts$/.test(rel) || /(^|\/)test\//.test(rel);
    const ships = !isTest && (/^apps\/[^/]+\/src\//.test(rel) || (/^libs\/[^/]+\/src\//.test(rel) && !rel.startsWith('libs/testing/')));
    const app = /^apps\/([^/]+)\//.exec(rel)?.[1];
    const src = fs.readFileSync(file, 'utf8');
    for (const m of src.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith('.')) {
        const target = path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
        const targetApp = /^apps\/([^/]+)\//.exec(target)?.[1];
        if (app && targetApp && targetApp !== app) problems.push(`${rel}: imports app '${targetApp}' (${spec}); apps never import another app`);
        if (rel.startsWith('libs/') && targetApp) problems.push(`${rel}: a lib imports app '${targetApp}' (${spec})`);
        if (ships && /^(tools|test|bench)\//.test(target)) problems.push(`${rel}: shipped code imports ${target}`);
        if (/^libs\/[^/]+\/src\/./.test(target) && !rel.startsWith(target.split('/').slice(0, 2).join('/'))) {
          problems.push(`${rel}: reaches into ${target}; import '@lib/${target.split('/')[1]}' instead`);
        }
        continue;
      }
      if (spec.startsWith('@lib/')) {
        if (!libs.has(spec.slice(5))) problems.push(`${rel}: unknown lib '${spec}'`);
        continue;
      }
      if (builtins.has(spec) || builtins.has(spec.split('/')[0])) continue;
      const name = packageName(spec);
      if (/^import\s+type\b/.test(m[0])) {
        // Erased at compile time: it only has to resolve (e.g. fastify's types via @nestjs/platform-fastify).
        if (!fs.existsSync(path.join(root, 'node_modules', name, 'package.json'))) {
          problems.push(`${rel}: type import from '${name}', which is not installed`);
        }
        continue;
      }
      if (ships) {
        if (!deps.has(name)) problems.push(`${rel}: '${name}' must be in dependencies (shipped code; it is ${devDeps.has(name) ? 'only a devDependency' : 'not declared'})`);
      } else if (!deps.has(name) && !devDeps.has(name)) {
        problems.push(`${rel}: '${name}' is not declared in package.json`);
      }
    }
  }
}

if (problems.length) {
  process.stderr.write(`Boundary check failed:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('boundaries: ok\n');
