// The parent watch with real processes: a child under `sh -c` notices within a second when its
// wrapper is SIGKILLed — also when the wrapper is not its direct parent (npx runs us under
// npm exec → sh -c, and killing npm leaves sh alive as our parent).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcStat } from '../../common/proc.ts';
import { isLauncher, wrapperChain } from './parent-watch.ts';

const fixture = fileURLToPath(new URL('./parent-watch.fixture.ts', import.meta.url));
const started: ChildProcess[] = [];

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Runs `sh -c <script>` in its own process group and collects the JSON lines the fixture prints. */
function startChain(script: string) {
  const child = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'], detached: true, env: { ...process.env, FIXTURE: fixture } });
  started.push(child);
  const lines: Array<Record<string, unknown>> = [];
  child.stdout!.on('data', (d: Buffer) => {
    for (const l of d.toString().split('\n')) if (l.trim().startsWith('{')) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  const waitFor = async (key: string, timeoutMs: number) => {
    const t0 = Date.now();
    while (Date.now() - t0 < timeoutMs) {
      const hit = lines.find((l) => key in l);
      if (hit) return hit;
      await new Promise((r) => setTimeout(r, 50));
    }
    return undefined;
  };
  return { child, waitFor };
}

const node = `${JSON.stringify(process.execPath)} --import tsx "$FIXTURE"`;

describe('watchParent', () => {
  it('notices within a second that the sh -c it runs under was SIGKILLed', async () => {
    const chain = startChain(`${node}; true`);
    const start = await chain.waitFor('watching', 15_000);
    expect(start?.watching).toContain(chain.child.pid);
    const killedAt = Date.now();
    process.kill(chain.child.pid!, 'SIGKILL');
    const gone = await chain.waitFor('gone', 5000);
    expect(gone?.gone).toBe(chain.child.pid);
    expect(Number(gone?.atMs) - killedAt).toBeLessThan(1000);
  });

  it('notices a SIGKILLed wrapper above a surviving sh -c (the npx case)', async () => {
    // outer sh -c (the "npm exec") → inner sh -c → fixture
    const chain = startChain(`sh -c '${node}; true'; true`);
    const start = await chain.waitFor('watching', 15_000);
    const watching = start?.watching as number[];
    expect(watching).toHaveLength(2); // inner sh, outer sh; not the test runner above them
    expect(watching[1]).toBe(chain.child.pid);
    process.kill(chain.child.pid!, 'SIGKILL');
    const gone = await chain.waitFor('gone', 5000);
    expect(gone?.gone).toBe(chain.child.pid);
  });

  it('says nothing while the wrapper lives', async () => {
    const chain = startChain(`${node}; true`);
    await chain.waitFor('watching', 15_000);
    expect(await chain.waitFor('gone', 1500)).toBeUndefined();
  });
});

describe('wrapperChain and isLauncher', () => {
  const stat = (pid: number): ProcStat => ({ pid, ppid: pid + 1, startTicks: 1, state: 'S', comm: 'x' });
  const lines: Record<number, string> = {
    1: 'sh -c waddle-fleet run smoke',
    2: 'npm exec waddle-fleet run smoke',
    3: '-bash',
    4: 'node /usr/lib/node_modules/vitest/vitest.mjs',
  };
  it('is the parent plus the launchers above it, not the shell that started them', () => {
    expect(wrapperChain([1, 2, 3].map(stat), (pid) => lines[pid]!).map((p) => p.pid)).toEqual([1, 2]);
    expect(wrapperChain([3, 4].map(stat), (pid) => lines[pid]!).map((p) => p.pid)).toEqual([3]);
    expect(wrapperChain([], (pid) => lines[pid]!)).toEqual([]);
  });
  it('knows launchers by their command line', () => {
    for (const l of ['sh -c x', '/bin/bash -c x', 'npm run demo', 'npm exec waddle-fleet', 'npx waddle-fleet', 'node /usr/lib/node_modules/npm/bin/npm-cli.js run demo', 'yarn run x']) expect(isLauncher(l)).toBe(true);
    for (const l of ['bash', '-bash', 'sh script.sh', 'node bin/waddle-fleet.mjs run', 'timeout 60 x', 'node /x/vitest.mjs', '']) expect(isLauncher(l)).toBe(false);
  });
});
