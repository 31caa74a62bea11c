// Vitest's order, with two changes inside each group (a run of one sequence.groupOrder):
// - the files named in `first` start first, whatever their project. A clean clone has no timing
//   cache, so vitest starts the largest files first, and some of the longest are small: a 40–80 s
//   file taken last by one worker runs on alone at its group's end while the other workers sit
//   idle (volume-plan.e2e did in the e2e-pair group: 83 s alone at its end; the memory reducer's
//   unit test, 34 s, at group 0's end).
// - the heavy lane's files (`spread`: one at a time beside group 0, test/helpers/beside-lane.ts)
//   are spread through the group's e2e files, not started together. Started together, every one
//   but the lane's holder sat on a worker waiting for the lock: group 0 ran on two of its four
//   workers for its first minute (the machine 52–57% busy, then 86–99%).
// Vitest runs a group's files in the order given here, across its projects (groupSpecs in
// vitest/node keeps the order).
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export function longFirst(first: readonly string[], spread: readonly string[] = []): typeof BaseSequencer {
  return class LongFirstSequencer extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const sorted = await super.sort(files);
      const name = (f: TestSpecification): string => relative(this.ctx.config.root, f.moduleId);
      const rank = (f: TestSpecification): number => {
        const i = first.indexOf(name(f));
        return i < 0 ? first.length : i;
      };
      const out: TestSpecification[] = [];
      for (let i = 0; i < sorted.length; ) {
        const group = sorted[i]!.project.config.sequence.groupOrder;
        let j = i;
        while (j < sorted.length && sorted[j]!.project.config.sequence.groupOrder === group) j++;
        const run = sorted.slice(i, j).map((f, k) => ({ f, k }));
        run.sort((a, b) => rank(a.f) - rank(b.f) || a.k - b.k);
        const lane = (f: TestSpecification) => spread.indexOf(name(f));
        out.push(...spreadThrough(run.map((x) => x.f), lane));
        i = j;
      }
      return out;
    }
  };
}

/** The lane's files (laneIndex ≥ 0, in that order) at even steps through the other e2e files: the
 *  first at the start, the next after 1/n of them, and so on. Unit files (short, many) do not count. */
export function spreadThrough(files: TestSpecification[], laneIndex: (f: TestSpecification) => number): TestSpecification[] {
  const lane = files.filter((f) => laneIndex(f) >= 0).sort((a, b) => laneIndex(a) - laneIndex(b));
  const rest = files.filter((f) => laneIndex(f) < 0);
  const isE2e = (f: TestSpecification) => f.moduleId.endsWith('.e2e.test.ts');
  const e2e = rest.filter(isE2e).length;
  const out: TestSpecification[] = [];
  let seen = 0;
  let next = 0;
  for (const f of rest) {
    while (next < lane.length && seen >= Math.floor((next * e2e) / lane.length)) out.push(lane[next++]!);
    out.push(f);
    if (isE2e(f)) seen++;
  }
  return [...out, ...lane.slice(next)];
}
