// Runs Debian's ffmpeg without a shell (arguments are passed as an array, so labels and paths
// never need shell quoting) and answers "does this build have filter X?".
import { spawn, execFile } from 'node:child_process';
import { access } from 'node:fs/promises';

export const FFMPEG_PATH = '/usr/bin/ffmpeg';

export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';
}

async function ensureFfmpeg(path: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new FfmpegError(`fake-media: ffmpeg not found at ${path}; install it with apt-get install ffmpeg`);
  }
}

/** Runs ffmpeg with `args`; rejects with the tail of stderr when it fails or exceeds timeoutMs. */
export async function runFfmpeg(args: readonly string[], options: { timeoutMs?: number; path?: string } = {}): Promise<void> {
  const path = options.path ?? FFMPEG_PATH;
  await ensureFfmpeg(path);
  const timeoutMs = options.timeoutMs ?? 120_000;
  await new Promise<void>((resolve, reject) => {
    const child = spawn(path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new FfmpegError(`fake-media: ffmpeg took longer than ${timeoutMs} ms (args: ${args.join(' ')}); use a shorter duration or smaller size`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new FfmpegError(`fake-media: could not start ffmpeg at ${path}: ${err.message}; install it with apt-get install ffmpeg`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new FfmpegError(`fake-media: ffmpeg exited with code ${code}: ${stderr.trim()} (args: ${args.join(' ')})`));
    });
  });
}

const filterCache = new Map<string, Promise<Set<string>>>();

/** The names of the filters this ffmpeg build has (cached per binary). */
export function ffmpegFilters(path = FFMPEG_PATH): Promise<Set<string>> {
  let cached = filterCache.get(path);
  if (!cached) {
    cached = ensureFfmpeg(path).then(
      () =>
        new Promise<Set<string>>((resolve, reject) => {
          execFile(path, ['-hide_banner', '-filters'], { maxBuffer: 4 * 1024 * 1024 }, (err, stdout) => {
            if (err) return reject(new FfmpegError(`fake-media: ffmpeg -filters failed: ${err.message}`));
            const names = new Set<string>();
            for (const line of stdout.split('\n')) {
              const m = /^\s*[TSC.]{3}\s+(\S+)\s/.exec(line);
              if (m?.[1]) names.add(m[1]);
            }
            resolve(names);
          });
        }),
    );
    filterCache.set(path, cached);
    cached.catch(() => filterCache.delete(path));
  }
  return cached;
}
