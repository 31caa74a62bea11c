// The one exit-code table (shared/DESIGN.md), used by the verdict and the CLI alike. Only cli/
// calls process.exit.
export const ExitCode = {
  passed: 0,
  internalError: 1,
  usageError: 2,
  thresholdsFailed: 3,
  inconclusive: 4,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
