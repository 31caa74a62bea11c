// Errors the CLI maps to exit codes. Kept outside cli/ because nothing may import cli/.

/** Bad plan, flag or environment, found before any load was sent (exit 2). */
export class UsageError extends Error {
  constructor(
    readonly problems: readonly string[],
    /** what would have run (the dry run's description), printed before the problems when known */
    readonly description?: string,
  ) {
    super(problems.join('\n'));
    this.name = 'UsageError';
  }
}
