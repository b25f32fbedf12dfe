import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { FfmpegFrameSource, FrameGrabError, bundledFfmpegPath } from './video-frame';

describe('FfmpegFrameSource', () => {
  const ffmpeg = bundledFfmpegPath()!;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'frames-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the ffmpeg bundled for this platform', () => {
    expect(ffmpeg).toEqual(expect.stringContaining('@ffmpeg-installer'));
  });

  it('decodes the frame at a time as a PNG of the video size', async () => {
    const clip = path.join(dir, 'clip.mp4');
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=160x90:rate=10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
    const frame = await new FfmpegFrameSource(ffmpeg).frameAt(clip, 1);
    expect(await sharp(frame).metadata()).toMatchObject({ format: 'png', width: 160, height: 90 });
  });

  it("names ffmpeg's own reason when the file is not a video", async () => {
    const text = path.join(dir, 'notes.mp4');
    writeFileSync(text, 'not a video at all');
    await expect(new FfmpegFrameSource(ffmpeg).frameAt(text, 0)).rejects.toThrow(/ffmpeg exited with 1: .*Invalid data/);
  });

  it('says so when there is no frame at that time, or no ffmpeg at all', async () => {
    const clip = path.join(dir, 'short.mp4');
    execFileSync(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=64x64:rate=10', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', clip]);
    await expect(new FfmpegFrameSource(ffmpeg).frameAt(clip, 30)).rejects.toThrow(new FrameGrabError('no frame was decoded'));
    await expect(new FfmpegFrameSource(path.join(dir, 'no-such-ffmpeg')).frameAt(clip, 0)).rejects.toThrow(/ffmpeg could not be started: .*ENOENT/);
  });

  it('stops a decode that takes too long', async () => {
    // A FIFO nobody writes to: ffmpeg blocks opening it, as on a stalled network volume.
    const fifo = path.join(dir, 'stalled.mp4');
    execFileSync('mkfifo', [fifo]);
    await expect(new FfmpegFrameSource(ffmpeg, 300).frameAt(fifo, 0)).rejects.toThrow(new FrameGrabError('ffmpeg took longer than 300 ms'));
  });
});
