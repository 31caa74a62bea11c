import { describe, expect, it } from 'vitest';
import { runTaskList } from './tasks.ts';

describe('runTaskList', () => {
  it('runs setups in order and teardowns in reverse', async () => {
    const log: string[] = [];
    const task = (name: string) => ({
      name,
      setup: async () => {
        log.push(`up ${name}`);
        return async () => void log.push(`down ${name}`);
      },
    });
    const result = await runTaskList([task('a'), task('b'), task('c')]);
    expect(log).toEqual(['up a', 'up b', 'up c', 'down c', 'down b', 'down a']);
    expect(result.failed).toBeUndefined();
    expect(result.completed).toEqual(['a', 'b', 'c']);
  });

  it('tears down what was set up when a task fails, and stops there', async () => {
    const log: string[] = [];
    const result = await runTaskList([
      { name: 'a', setup: async () => async () => void log.push('down a') },
      { name: 'b', setup: async () => { throw new Error('boom'); } },
      { name: 'c', setup: async () => void log.push('up c') },
    ]);
    expect(result.failed?.task).toBe('b');
    expect(String(result.failed?.error)).toContain('boom');
    expect(log).toEqual(['down a']);
  });

  it('runs every teardown even when one throws, and reports it', async () => {
    const log: string[] = [];
    const result = await runTaskList([
      { name: 'a', setup: async () => async () => void log.push('down a') },
      { name: 'b', setup: async () => async () => { throw new Error('stuck'); } },
      { name: 'c', setup: async () => async () => void log.push('down c') },
    ]);
    expect(log).toEqual(['down c', 'down a']);
    expect(result.teardownErrors.map((e) => e.task)).toEqual(['b']);
  });

  it('stops starting tasks when asked', async () => {
    let stop = false;
    const log: string[] = [];
    await runTaskList(
      [
        { name: 'a', setup: async () => { stop = true; return async () => void log.push('down a'); } },
        { name: 'b', setup: async () => void log.push('up b') },
      ],
      { shouldStop: () => stop },
    );
    expect(log).toEqual(['down a']);
  });
});
