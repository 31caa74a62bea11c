// SIGINT and SIGTERM (RELIABILITY.md "Never lose a run"): the first stops the run gracefully —
// no new users, a bounded grace for running steps, sinks flushed, the partial report written,
// every browser closed, exit 130. A second exits at once. Playwright's own SIGTERM handling
// would close the browsers but leave Node running, so the fleet takes both signals itself.
import { ExitCode } from './exit-codes.ts';

export function interruptOnSignals(graceText: string): AbortSignal {
  const interrupt = new AbortController();
  let signals = 0;
  const onSignal = (name: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      console.error(`\n${name}: stopping — no new users, ${graceText} grace for running steps, then the partial report (send it again to exit at once)`);
      interrupt.abort();
    } else {
      console.error(`${name} again: exiting now`);
      process.exit(ExitCode.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return interrupt.signal;
}
