import pg from 'pg';
import { ConfigError } from '@lib/config';
import { TokenCipher } from './accounts/token-cipher';
import { loadReencryptConfig } from './config/publishing.config';

// Key rotation, step 2 (step 1: put the new key first in TOKEN_ENCRYPTION_KEYS and roll the
// service out; step 3: drop the old key once this reports no failures). Re-encrypts every
// stored token under the current key, a batch per transaction; rows already on it are skipped,
// so it can be run again at any time.

const BATCH = 200;

interface TableSpec {
  table: string;
  columns: string[];
}

const TABLES: TableSpec[] = [
  { table: 'social_accounts', columns: ['accessToken', 'refreshToken'] },
  { table: 'oauth_states', columns: ['codeVerifier'] },
];

export interface ReencryptReport {
  currentKey: string;
  /** Per table: rows read, values moved to the current key, values already on it, values that could not be decrypted. */
  tables: Record<string, { rows: number; reencrypted: number; current: number; failed: number }>;
}

export async function reencryptTokens(pool: pg.Pool, cipher: TokenCipher, batch = BATCH): Promise<ReencryptReport> {
  const report: ReencryptReport = { currentKey: cipher.currentKeyId, tables: {} };
  for (const spec of TABLES) {
    const counts = { rows: 0, reencrypted: 0, current: 0, failed: 0 };
    report.tables[spec.table] = counts;
    const cols = spec.columns.map((c) => `"${c}"`).join(', ');
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        // FOR UPDATE: a token refreshed meanwhile is not overwritten with its older value.
        const { rows } = await client.query<Record<string, string | null>>(`select id, ${cols} from ${spec.table} where id > $1 order by id limit $2 for update`, [after, batch]);
        for (const row of rows) {
          const changes: Record<string, string> = {};
          for (const col of spec.columns) {
            const stored = row[col];
            if (!stored) continue;
            try {
              const moved = cipher.reencrypt(stored);
              if (moved === null) counts.current++;
              else {
                changes[col] = moved;
                counts.reencrypted++;
              }
            } catch {
              counts.failed++;
            }
          }
          const names = Object.keys(changes);
          if (names.length) {
            await client.query(`update ${spec.table} set ${names.map((n, i) => `"${n}" = $${i + 2}`).join(', ')} where id = $1`, [row.id, ...names.map((n) => changes[n])]);
          }
        }
        await client.query('commit');
        counts.rows += rows.length;
        if (rows.length < batch) break;
        after = rows[rows.length - 1].id as string;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    }
  }
  return report;
}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadReencryptConfig>;
  try {
    config = loadReencryptConfig();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(err instanceof ConfigError ? 78 : 1);
  }
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: 1 });
  try {
    const report = await reencryptTokens(pool, new TokenCipher(config.tokenKeys.current, config.tokenKeys.others));
    process.stdout.write(`${JSON.stringify({ msg: 'tokens re-encrypted', ...report })}\n`);
    const failed = Object.values(report.tables).reduce((n, t) => n + t.failed, 0);
    if (failed) process.stderr.write(`${failed} token(s) could not be decrypted with the configured keys; keep the old key until they are fixed\n`);
    process.exitCode = failed ? 1 : 0;
  } catch (err) {
    process.stderr.write(`${JSON.stringify({ msg: 're-encryption failed', err: (err as Error).message })}\n`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}

if (require.main === module) void main();
