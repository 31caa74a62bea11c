// The heavy lane beside group 0 (vitest.config.ts, besideGroup0): its files run in group 0's pool,
// which vitest sizes for the whole group, so nothing there stops two of them starting at once. Each
// takes this lock in beforeAll and gives it back in afterAll: one heavy file at a time, beside the
// light ones. A holder that died (its worker gone) is taken over. Outside a full run (one file run
// alone) the lock is free.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for the lane, takes it, and returns how to give it back. */
export async function takeBesideLane(timeoutMs = 900_000): Promise<() => Promise<void>> {
  const lock = join(inject('testRunDir'), 'beside-lane');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      return () => rm(lock, { recursive: true, force: true });
    } catch {
      const holder = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => ''));
      // no pid yet: the holder is between mkdir and writeFile; a dead pid: its worker is gone
      if (holder > 0 && !alive(holder)) await rm(lock, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`the heavy lane beside group 0 stayed taken for ${timeoutMs} ms (by pid ${holder || '?'})`);
      else await sleep(500);
    }
  }
}
