import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import { ROOT } from '../dev/env';
import { buildAsyncApi } from './document';

/** `npm run asyncapi` → asyncapi.yaml at the repository root. */
const version = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const file = path.join(ROOT, process.argv[2] ?? 'asyncapi.yaml');
fs.writeFileSync(file, stringify(buildAsyncApi(version), { aliasDuplicateObjects: false }));
process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
