// Process trees from /proc (Linux): which processes belong to the generator. Also used by the
// browser pool to kill what Playwright's close() leaves behind.
import { readdirSync, readFileSync } from 'node:fs';

/** Direct children of pid, from /proc/<pid>/task/<tid>/children (Linux ≥ 3.5). */
export function childPids(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ')) {
          const n = Number(c);
          if (c.trim() && Number.isInteger(n)) out.push(n);
        }
      } catch {}
    }
  } catch {}
  return out;
}

/** pid and all its descendants (breadth first). */
export function processTree(rootPid: number): number[] {
  const seen = new Set<number>();
  const queue = [rootPid];
  while (queue.length) {
    const pid = queue.shift()!;
    if (seen.has(pid) || !isAlive(pid)) continue;
    seen.add(pid);
    queue.push(...childPids(pid));
  }
  return [...seen];
}

export function isAlive(pid: number): boolean {
  try {
    // a zombie still has /proc/<pid> but is dead for our purposes
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Thread ids of pid (/proc/<pid>/task); empty when the process is gone. */
export function threadIds(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter((tid) => Number.isInteger(tid));
  } catch {
    return [];
  }
}
