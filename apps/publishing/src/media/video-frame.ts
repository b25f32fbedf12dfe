import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';

/** One decoded still of a video, as PNG: what its thumbnail is made from. */
export interface VideoFrameSource {
  /** The frame at `atSeconds` (or the last one before it), PNG encoded. */
  frameAt(file: string, atSeconds: number): Promise<Buffer>;
}

export class FrameGrabError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameGrabError';
  }
}

/**
 * The ffmpeg that ships inside the `@ffmpeg-installer/<platform>` npm package (a static build:
 * nothing is downloaded), or null on a platform it has no build for.
 */
export function bundledFfmpegPath(): string | null {
  try {
    const installer = createRequire(__filename)('@ffmpeg-installer/ffmpeg') as { path: string };
    return installer.path;
  } catch {
    return null;
  }
}

/** A PNG of a 4K frame is ~25 MB; anything larger is not a frame. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;
const STDERR_TAIL = 600;

/** Decodes one frame with an ffmpeg process: bounded in time and output, never a shell. */
export class FfmpegFrameSource implements VideoFrameSource {
  constructor(
    private readonly ffmpegPath: string,
    private readonly timeoutMs = 20_000,
  ) {}

  frameAt(file: string, atSeconds: number): Promise<Buffer> {
    // -ss before -i seeks by keyframe then decodes forward to the exact time: fast on long files.
    const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-ss', atSeconds.toFixed(3), '-i', file, '-frames:v', '1', '-an', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'];
    return new Promise<Buffer>((resolve, reject) => {
      const child = spawn(this.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      let size = 0;
      let stderr = '';
      let failure: string | null = null;
      const fail = (why: string) => {
        failure ??= why;
        child.kill('SIGKILL');
      };
      const timer = setTimeout(() => fail(`ffmpeg took longer than ${this.timeoutMs} ms`), this.timeoutMs);
      child.stdout.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_FRAME_BYTES) return fail(`the frame is larger than ${MAX_FRAME_BYTES} bytes`);
        chunks.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(new FrameGrabError(`ffmpeg could not be started: ${err.message}`));
      });
      child.once('close', (code) => {
        clearTimeout(timer);
        if (failure) return reject(new FrameGrabError(failure));
        if (code !== 0) return reject(new FrameGrabError(`ffmpeg exited with ${code}: ${stderr.trim().replace(/\s*\n\s*/g, '; ') || 'no message'}`));
        if (size === 0) return reject(new FrameGrabError('no frame was decoded'));
        resolve(Buffer.concat(chunks));
      });
    });
  }
}
