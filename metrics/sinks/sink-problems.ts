// Sink delivery figures as sentences for the summary's verdict reasons and the report: a sink that
// dropped or spilled data, or whose counts do not add up, must be visible where the user looks,
// not only in a table of numbers. (The verdict itself is computed locally and stays valid; what is
// lost is the copy in that sink, e.g. the Grafana view of the run.)
import type { SinkStats } from '../types.ts';

const pct = (part: number, whole: number): string => (whole > 0 ? `${Math.round((part / whole) * 1000) / 10}%` : '0%');

/** one sentence per problem, in sink order; empty when every sink delivered everything it generated */
export function sinkProblems(stats: Readonly<Record<string, SinkStats>>): string[] {
  const out: string[] = [];
  for (const [name, s] of Object.entries(stats)) {
    if (s.dropped > 0) {
      out.push(`sink ${name} dropped ${s.dropped} of ${s.generated} points (${pct(s.dropped, s.generated)}; ${s.delivered} delivered${s.spilled ? `, ${s.spilled} spilled` : ''}): its copy of this run is incomplete; see the warnings above for why`);
    }
    if (s.spilled > 0) {
      out.push(`sink ${name} could not deliver ${s.spilled} of ${s.generated} points and spilled them to its spill file: replay it to complete that copy of the run`);
    }
    const accounted = s.delivered + s.spilled + s.dropped;
    if (accounted !== s.generated) {
      out.push(`sink ${name} accounts for ${accounted} of ${s.generated} points generated (delivered ${s.delivered} + spilled ${s.spilled} + dropped ${s.dropped}): ${Math.abs(s.generated - accounted)} unaccounted for (a bug in the sink)`);
    }
  }
  return out;
}
