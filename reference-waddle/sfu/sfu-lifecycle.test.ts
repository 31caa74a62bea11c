// The SFU mode's lifecycle through the real `npm run waddle` command: Janus starts with the
// server and dies with it, even when the server is killed with SIGKILL (no clean-up code runs:
// the kernel's parent-death signal does it); a missing Janus is refused with exit 2 and says how
// to install it, before anything listens.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { cpuLimitProblem } from './cpu-limit.ts';
import { findJanus } from './janus-process.ts';

const cli = fileURLToPath(new URL('../cli.ts', import.meta.url));

function startWaddle(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, exited, output: () => output };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('reference Waddle --media sfu (the command)', () => {
  it('refuses to start without Janus: exit 2, saying how to install it', async () => {
    const waddle = startWaddle(['--media', 'sfu'], { REFERENCE_WADDLE_JANUS: '/nonexistent/janus' });
    expect(await waddle.exited).toBe(2);
    expect(waddle.output()).toMatch(/--media sfu needs the Janus WebRTC server .* no janus binary is at \/nonexistent\/janus: install them with "apt-get install janus gcc"/);
    expect(waddle.output()).not.toContain('reference Waddle at');
  });

  it.runIf(!('problem' in findJanus()))('takes its Janus down with it, even on SIGKILL', async () => {
    const waddle = startWaddle(['--media', 'sfu']);
    onTestFinished(() => void waddle.child.kill('SIGKILL'));
    const deadline = Date.now() + 30_000;
    let pid = 0;
    while (Date.now() < deadline && !(pid = Number(/Janus \(pid (\d+)/.exec(waddle.output())?.[1] ?? 0))) await new Promise((r) => setTimeout(r, 100));
    expect(pid, waddle.output()).toBeGreaterThan(0);
    await expect.poll(() => /reference Waddle at/.test(waddle.output())).toBe(true);
    const url = /reference Waddle at (\S+)/.exec(waddle.output())?.[1] ?? '';
    expect(await fetch(`${url}/metrics`).then((r) => r.text())).toContain('waddle_sfu_memory_mb');
    expect(alive(pid)).toBe(true);
    waddle.child.kill('SIGKILL');
    await waddle.exited;
    await expect.poll(() => alive(pid), { timeout: 5_000 }).toBe(false);
  }, 60_000);

  it('refuses --sfu-cpu-limit without --media sfu: exit 2, naming the option', async () => {
    const waddle = startWaddle(['--sfu-cpu-limit', '0.2']);
    expect(await waddle.exited).toBe(2);
    expect(waddle.output()).toMatch(/sfuCpuLimit: caps the media server, so it needs media 'sfu'/);
  });

  it.runIf(!('problem' in findJanus()) && cpuLimitProblem() === undefined)('--sfu-cpu-limit puts Janus in a capped cgroup of its own, says so on /metrics, and removes it on stop', async () => {
    const waddle = startWaddle(['--media', 'sfu', '--sfu-cpu-limit', '0.2']);
    // whatever fails below, the server (and so its Janus) does not outlive the test
    onTestFinished(() => void waddle.child.kill('SIGKILL'));
    await expect.poll(() => /reference Waddle at/.test(waddle.output()), { timeout: 30_000 }).toBe(true);
    expect(waddle.output()).toContain('CPU capped at 0.2 cores');
    const pid = Number(/Janus \(pid (\d+)/.exec(waddle.output())?.[1] ?? 0);
    const group = /:cpu(?:,cpuacct)?:(\/reference-waddle-janus-\d+)|^0::(\/reference-waddle-janus-\d+)/m.exec(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    expect(group?.[1] ?? group?.[2], readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toBe(`/reference-waddle-janus-${pid}`);
    const url = /reference Waddle at (\S+)/.exec(waddle.output())?.[1] ?? '';
    expect(await fetch(`${url}/metrics`).then((r) => r.text())).toMatch(/^waddle_sfu_cpu_limit_pct 20$/m);
    waddle.child.kill('SIGTERM');
    await waddle.exited;
    expect(existsSync(`/sys/fs/cgroup/cpu/reference-waddle-janus-${pid}`) || existsSync(`/sys/fs/cgroup/reference-waddle-janus-${pid}`)).toBe(false);
  }, 60_000); // a server started through tsx beside group 0's other files took over 20 s once (a unit run at load ~4)
});
