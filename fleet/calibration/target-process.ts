// The reference Waddle in its own process (its CPU is never the generator's), fresh for every
// measurement so channel history and presence start equal for both ways.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Target {
  readonly url: string;
  stop(): Promise<void>;
}

export async function startTarget(textChannels: number, voiceChannels: number): Promise<Target> {
  const cli = fileURLToPath(new URL('../../reference-waddle/cli.ts', import.meta.url));
  const args = ['--import', 'tsx', cli, '--port', '0', '--text-channels', String(textChannels), '--voice-channels', String(voiceChannels), '--chat-rate', '50'];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.resume();
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the reference Waddle did not start within 30 s (${out})`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /reference Waddle at (http:\/\/\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve(m[1]!);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the reference Waddle exited (${code}): ${out}`));
    });
  });
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
