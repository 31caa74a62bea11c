import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isAlive, processTree, threadIds } from './process-tree.ts';

describe('processTree', () => {
  it('finds a child and a grandchild of this process', async () => {
    const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const tree = processTree(process.pid);
      expect(tree).toContain(child.pid);
      expect(tree.length).toBeGreaterThanOrEqual(3); // this process, sh, sleep
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(isAlive(child.pid!)).toBe(false);
  });
  it('lists the threads of this process, and none of a process that is gone', () => {
    const tids = threadIds(process.pid);
    expect(tids).toContain(process.pid); // the main thread's id is the pid
    expect(tids.length).toBeGreaterThan(1); // node always runs helper threads (V8 platform, libuv)
    expect(threadIds(999_999_999)).toEqual([]);
  });
});
