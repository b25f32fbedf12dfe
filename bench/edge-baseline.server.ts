import Fastify from 'fastify';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { JWT_ALGORITHM, JWT_AUDIENCE, JWT_ISSUER } from '@lib/auth-verify';

// The bare baseline of bench:edge: Fastify + pg doing the same reads as GET /api/v1/me and
// GET /api/v1/users, with the same token check, and nothing else (no edge hop, no Nest, no ORM,
// no session or permission lookups).

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const publicKey = process.env.JWT_PUBLIC_KEY ?? '';
const app = Fastify();

function claims(header: string | undefined): { sub: string; workspaceId: string } | null {
  try {
    return jwt.verify((header ?? '').replace(/^Bearer /, ''), publicKey, { algorithms: [JWT_ALGORITHM], issuer: JWT_ISSUER, audience: JWT_AUDIENCE }) as { sub: string; workspaceId: string };
  } catch {
    return null;
  }
}

const COLUMNS = `id, email, name, avatar, role, "isActive", "workspaceId", "createdAt", "updatedAt"`;

app.get('/api/v1/me', async (req, reply) => {
  const c = claims(req.headers.authorization);
  if (!c) return reply.status(401).send({ status: 401 });
  const { rows } = await pool.query(`select ${COLUMNS} from users where id = $1 and "workspaceId" = $2`, [c.sub, c.workspaceId]);
  return rows[0];
});

app.get('/api/v1/users', async (req, reply) => {
  const c = claims(req.headers.authorization);
  if (!c) return reply.status(401).send({ status: 401 });
  const { rows } = await pool.query(`select ${COLUMNS} from users where "workspaceId" = $1 order by "createdAt" desc, id desc limit 21`, [c.workspaceId]);
  return { items: rows.slice(0, 20), nextCursor: rows.length > 20 ? 'next' : null };
});

app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' }).then(
  () => process.stdout.write('baseline ready\n'),
  (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  },
);
