// Why load stopped before the plan ended, as a type: the verdict and `merge` read the kind, never
// the words (an abortOnFail stop was once found by searching the verdict's sentences for
// "abortOnFail").
export type StopReason =
  /** SIGINT/SIGTERM (or the wrapper's stop) */
  | { readonly kind: 'signal' }
  /** an abortOnFail threshold failed on the running totals: its sentence */
  | { readonly kind: 'abortOnFail'; readonly threshold: string }
  /** an error nothing caught (a bug): how it surfaced */
  | { readonly kind: 'internalError'; readonly how: string }
  /** this shard was not ready before --start-at and sent no load */
  | { readonly kind: 'missedStart' };

export function describeStop(reason: StopReason): string {
  switch (reason.kind) {
    case 'signal':
      return 'interrupted by signal';
    case 'abortOnFail':
      return `abortOnFail: ${reason.threshold}`;
    case 'internalError':
      return `internal error: ${reason.how}`;
    case 'missedStart':
      return 'this shard was not ready before --start-at; it sent no load so the shards stay comparable';
  }
}

/** The sentence of the abortOnFail threshold that stopped the run, when one did. */
export function abortOnFailOf(reasons: readonly StopReason[]): string | undefined {
  for (const r of reasons) if (r.kind === 'abortOnFail') return r.threshold;
  return undefined;
}
