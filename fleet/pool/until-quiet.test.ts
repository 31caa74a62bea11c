// untilQuiet against real processes: a busy loop is not quiet, an idle one is, and a busy machine
// never holds the run back longer than maxMs. Runs in the unit-timing lane (a busy loop must get
// its core to read busy).
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { untilQuiet } from './until-quiet.ts';

const children: ChildProcess[] = [];
/** A node process that spins for busyMs, then sleeps. */
function child(busyMs: number): number {
  const c = spawn(process.execPath, ['-e', `const end = Date.now() + ${busyMs}; while (Date.now() < end) {} setTimeout(() => {}, 60000)`], { stdio: 'ignore' });
  children.push(c);
  return c.pid!;
}
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('untilQuiet: start-up work ends before load', () => {
  const options = { stepMs: 100, quietCores: 0.3, maxMs: 3_000 };

  it('waits while a process works, and returns once it went quiet', async () => {
    const pid = child(1_200);
    const waited = await untilQuiet([pid], options);
    expect(waited).toBeGreaterThanOrEqual(900);
    expect(waited).toBeLessThan(3_000);
  });

  it('returns after one step when nothing works, at once with no process, and at maxMs when something never stops', async () => {
    const idle = child(0);
    await new Promise((resolve) => setTimeout(resolve, 300)); // node's own start-up
    expect(await untilQuiet([idle], options)).toBeLessThan(400);
    expect(await untilQuiet([], options)).toBe(0); // no browsers (a protocol-only run): no step at all
    const busy = child(60_000);
    const waited = await untilQuiet([busy], options);
    expect(waited).toBeGreaterThanOrEqual(3_000);
    expect(waited).toBeLessThan(3_500);
  });
});
