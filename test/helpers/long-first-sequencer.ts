// Vitest's order, except that the files named here start first within their project. A clean
// clone has no timing cache, so vitest starts the largest files first, and some of the longest are
// small: a 40–80 s file taken last by one worker runs on alone at the end of its group while the
// other workers sit idle (volume-plan.e2e did in the e2e-pair group: 83 s alone at its end).
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

export function longFirst(first: readonly string[]): typeof BaseSequencer {
  return class LongFirstSequencer extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      const sorted = await super.sort(files);
      const rank = (f: TestSpecification): number => {
        const i = first.indexOf(relative(this.ctx.config.root, f.moduleId));
        return i < 0 ? first.length : i;
      };
      // vitest keeps each project's files together: reorder inside each run of one project only
      const out: TestSpecification[] = [];
      for (let i = 0; i < sorted.length; ) {
        let j = i;
        while (j < sorted.length && sorted[j]!.project.name === sorted[i]!.project.name) j++;
        const run = sorted.slice(i, j).map((f, k) => ({ f, k }));
        run.sort((a, b) => rank(a.f) - rank(b.f) || a.k - b.k);
        out.push(...run.map((x) => x.f));
        i = j;
      }
      return out;
    }
  };
}
