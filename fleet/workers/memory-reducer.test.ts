// V8's memory reducer, off for worker threads made after withoutMemoryReducer(): two real Node
// processes with --trace-gc, each starting a worker that allocates and then idles (what the reducer
// waits for: it checks every 8 s). The control, without the call, must show the worker's
// "Mark-Compact (reduce)"; the other, given as long again and one more check, must not.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const moduleUrl = new URL('./memory-reducer.ts', import.meta.url).href;
const tsx = import.meta.resolve('tsx');

// The worker marks its own isolate in the trace with one gc() ("testing"), so the main thread's and
// the module loader's isolates (made before the flag, idle too) are not counted.
const script = (apply: boolean): string => `
import { Worker } from 'node:worker_threads';
${apply ? `const { withoutMemoryReducer } = await import(${JSON.stringify(moduleUrl)}); withoutMemoryReducer();` : ''}
new Worker(\`
  let keep = [];
  for (let i = 0; i < 40; i++) { keep.push(new Array(100000).fill({ i })); if (keep.length > 5) keep.shift(); }
  keep = null;
  globalThis.gc();
  setTimeout(() => {}, 120000);
\`, { eval: true });
`;

interface Traced {
  /** "Mark-Compact (reduce)" lines of the worker's isolate so far */
  readonly reduced: () => number;
  readonly firstReduce: Promise<void>;
  readonly stop: () => void;
}

function traced(apply: boolean): Traced {
  const child = spawn(process.execPath, ['--trace-gc', '--expose-gc', '--import', tsx, '--input-type=module', '-e', script(apply)], { cwd: fileURLToPath(new URL('../..', import.meta.url)), stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let onReduce!: () => void;
  const firstReduce = new Promise<void>((resolve) => (onReduce = resolve));
  const workerIsolate = (): string | undefined => /^\[\d+:(0x[0-9a-f]+)\].*testing/m.exec(out)?.[1];
  const reduced = (): number => {
    const isolate = workerIsolate();
    return isolate === undefined ? 0 : out.split('\n').filter((l) => l.includes(`:${isolate}]`) && l.includes('Mark-Compact (reduce)')).length;
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    if (reduced() > 0) onReduce();
  });
  return { reduced, firstReduce, stop: () => child.kill() };
}

describe('protocol worker threads and the memory reducer', () => {
  it('a worker made after withoutMemoryReducer() runs no memory-reducing GC when idle; one made without it does', async () => {
    const control = traced(false);
    const applied = traced(true);
    const started = Date.now();
    try {
      await control.firstReduce; // ~16 s: the reducer's second 8 s check, once the allocation is past
      const tookMs = Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 9_000)); // one more check for the other
      expect(control.reduced()).toBeGreaterThan(0);
      expect(applied.reduced(), `no reduce GC in ${((tookMs + 9_000) / 1000).toFixed(0)} s`).toBe(0);
    } finally {
      control.stop();
      applied.stop();
    }
  }, 90_000);
});
