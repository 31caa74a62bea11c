// A run folder the report cannot be built from: missing, empty, not a folder, or written by an
// unsupported version. Usage, not a bug: the CLI maps it to exit 2 and prints every problem.

export class RunFolderProblem extends Error {
  /** one sentence per problem: what is missing or wrong, and what to do */
  readonly problems: readonly string[];
  readonly runDir: string;

  constructor(runDir: string, problems: readonly string[]) {
    super(`cannot build a report from ${runDir}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'RunFolderProblem';
    this.runDir = runDir;
    this.problems = [...problems];
  }
}
