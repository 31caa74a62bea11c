import { describe, expect, it } from 'vitest';
import { WorkerFigures } from './thread-figures.ts';

describe('the worker threads\' figures, as the resource monitor takes them', () => {
  it('sum every worker\'s latest heap, keep the worst loop delay and the longest pause of each kind, then start again', () => {
    const figures = new WorkerFigures();
    expect(figures.take()).toEqual({ loopP99Ms: 0, heapMb: undefined, gc: {} });
    figures.add(0, { p99Ms: 12, heapMb: 100, gc: { minor: 3 } });
    figures.add(1, { p99Ms: 30, heapMb: 80, gc: { minor: 1, major: 250 } });
    figures.add(0, { p99Ms: 11, heapMb: 120, gc: { minor: 4 } }); // worker 0's later report replaces its heap
    expect(figures.take()).toEqual({ loopP99Ms: 30, heapMb: 200, gc: { minor: 4, major: 250 } });
    // the heap is a level: it stays until a worker reports again; delay and pauses were taken
    expect(figures.take()).toEqual({ loopP99Ms: 0, heapMb: 200, gc: {} });
    figures.add(1, { p99Ms: 9, heapMb: Number.NaN, gc: {} }); // a figure that could not be read keeps the last one
    expect(figures.take().heapMb).toBe(200);
  });
});
