// Errors the CLI maps to exit codes. Kept outside cli/ because nothing may import cli/.

/** Bad plan, flag or environment, found before any load was sent (exit 2). */
export class UsageError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'UsageError';
  }
}
