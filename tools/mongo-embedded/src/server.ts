// TCP front end: accepts connections, splits frames, runs commands in order per connection, and
// isolates failures — a malformed frame closes only the connection that sent it.
import * as net from 'node:net';
import type { Document } from 'bson';
import { FrameSplitter, ProtocolError, decodeFrame, encodeOpMsg, encodeOpReply } from './wire';
import type { Request } from './wire';
import { CommandDispatcher } from './commands';
import { CursorRegistry } from './cursors';
import { Engine } from './storage';

export interface ServerOptions {
  port?: number;
  host?: string;
  dbPath: string;
  ttlSweepMs?: number;
  compactBytes?: number;
  log?: (msg: string) => void;
  /** Log every command with its outcome (to find out what a client sends). */
  trace?: boolean;
}

export interface RunningServer {
  port: number;
  host: string;
  url: string;
  engine: Engine;
  stop(): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? (() => undefined);
  const engine = new Engine({ dbPath: opts.dbPath, ttlSweepMs: opts.ttlSweepMs, compactBytes: opts.compactBytes, log });
  engine.open();
  const cursors = new CursorRegistry();
  const dispatcher = new CommandDispatcher(engine, cursors);
  const sockets = new Set<net.Socket>();
  let nextConnId = 1;
  let nextRequestId = 1;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    dispatcher.connections++;
    socket.setNoDelay(true);
    const ctx = { id: nextConnId++ };
    const splitter = new FrameSplitter();
    // Requests on one connection are answered strictly in order (drivers rely on it); different
    // connections interleave freely at await points (journal fsyncs).
    let chain: Promise<void> = Promise.resolve();
    const fail = (reason: string): void => {
      log(`connection ${ctx.id} closed: ${reason}`);
      socket.destroy();
    };
    socket.on('data', (chunk: Buffer) => {
      let frames: Buffer[];
      try {
        frames = splitter.push(chunk);
      } catch (err) {
        fail((err as Error).message);
        return;
      }
      for (const frame of frames) {
        let req: Request;
        try {
          req = decodeFrame(frame);
        } catch (err) {
          fail(err instanceof ProtocolError ? err.message : `undecodable frame: ${(err as Error).message}`);
          return;
        }
        chain = chain.then(() => handle(req, socket, ctx)).catch((err: unknown) => fail(`internal error: ${String(err)}`));
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      dispatcher.connections--;
    });
  });

  async function handle(req: Request, socket: net.Socket, ctx: { id: number }): Promise<void> {
    if (socket.destroyed) return;
    let reply: Document;
    try {
      reply = await dispatcher.run(req.db, req.command, ctx);
    } catch (err) {
      reply = { ok: 0, errmsg: (err as Error).message, code: 1, codeName: 'InternalError' };
    }
    if (opts.trace) {
      const name = Object.keys(req.command)[0];
      log(`conn${ctx.id} ${req.db}.${name}${reply.ok === 1 ? '' : ` -> ${String(reply.code)} ${String(reply.errmsg)}`}`);
    }
    if (req.noReply || socket.destroyed) return;
    const requestId = nextRequestId++;
    let out: Buffer;
    try {
      out = req.legacy ? encodeOpReply(reply, requestId, req.header.requestId) : encodeOpMsg(reply, requestId, req.header.requestId);
    } catch (err) {
      const e = { ok: 0, errmsg: `reply could not be encoded: ${(err as Error).message}`, code: 10334, codeName: 'BSONObjectTooLarge' };
      out = req.legacy ? encodeOpReply(e, requestId, req.header.requestId) : encodeOpMsg(e, requestId, req.header.requestId);
    }
    socket.write(out);
  }

  const host = opts.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 27017, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    cursors.close();
    await engine.close(); // release the dbPath lock, e.g. when the port is taken
    throw err;
  }
  const port = (server.address() as net.AddressInfo).port;

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    if (!stopping) {
      stopping = (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
        cursors.close();
        await engine.close();
      })();
    }
    return stopping;
  };

  return { port, host, url: `mongodb://${host}:${port}/`, engine, stop };
}
