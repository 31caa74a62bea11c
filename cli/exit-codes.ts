// The exit-code table lives beside the verdict (metrics/exit-codes.ts) so nothing imports cli/.
export { ExitCode } from '../metrics/exit-codes.ts';
