// The heavy lane's files spread through a group's e2e files, not started together (a waiting lane
// file holds a worker): the first at the start, the next after 1/n of the e2e files, and so on.
import { describe, expect, it } from 'vitest';
import type { TestSpecification } from 'vitest/node';
import { spreadThrough } from './long-first-sequencer.ts';

const spec = (moduleId: string) => ({ moduleId }) as unknown as TestSpecification;
const names = (files: TestSpecification[]) => files.map((f) => f.moduleId);

describe('spreadThrough', () => {
  it('puts the lane files at even steps through the e2e files, in the lane order, unit files not counted', () => {
    const files = ['lane-c.e2e.test.ts', 'p1.parallel.e2e.test.ts', 'lane-a.e2e.test.ts', 'p2.parallel.e2e.test.ts', 'p3.parallel.e2e.test.ts',
      'p4.parallel.e2e.test.ts', 'p5.parallel.e2e.test.ts', 'p6.parallel.e2e.test.ts', 'lane-b.e2e.test.ts', 'u1.test.ts', 'u2.test.ts'].map(spec);
    const lane = ['lane-a.e2e.test.ts', 'lane-b.e2e.test.ts', 'lane-c.e2e.test.ts'];
    expect(names(spreadThrough(files, (f) => lane.indexOf(f.moduleId)))).toEqual([
      'lane-a.e2e.test.ts', 'p1.parallel.e2e.test.ts', 'p2.parallel.e2e.test.ts',
      'lane-b.e2e.test.ts', 'p3.parallel.e2e.test.ts', 'p4.parallel.e2e.test.ts',
      'lane-c.e2e.test.ts', 'p5.parallel.e2e.test.ts', 'p6.parallel.e2e.test.ts', 'u1.test.ts', 'u2.test.ts',
    ]);
  });

  it('keeps the order as it was without lane files, and puts lane files first when there is no other e2e file', () => {
    const plain = ['a.e2e.test.ts', 'b.test.ts', 'c.parallel.e2e.test.ts'].map(spec);
    expect(names(spreadThrough(plain, () => -1))).toEqual(['a.e2e.test.ts', 'b.test.ts', 'c.parallel.e2e.test.ts']);
    const onlyUnits = ['x.test.ts', 'heavy.e2e.test.ts', 'y.test.ts'].map(spec);
    expect(names(spreadThrough(onlyUnits, (f) => (f.moduleId === 'heavy.e2e.test.ts' ? 0 : -1)))).toEqual(['heavy.e2e.test.ts', 'x.test.ts', 'y.test.ts']);
  });
});
