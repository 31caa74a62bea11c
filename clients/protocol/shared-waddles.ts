// One parsed copy of each waddle's summary for all the protocol clients of a process.
import type { WaddleSummary } from '../../reference-waddle/protocol.ts';
import type { WaddleInfo } from '../waddle-client.ts';

/**
 * Waddle summaries shared by every client of the process: a waddle of 1,000 channels parsed
 * afresh per user would cost ~80 KB each, more than the rest of the client. A summary that
 * differs in anything (another server, channels changed) replaces the shared one.
 */
const sharedWaddles = new Map<string, WaddleInfo>();
const SHARED_WADDLES_MAX = 1_000;

export function sharedWaddleInfo(w: WaddleSummary): WaddleInfo {
  const known = sharedWaddles.get(w.id);
  if (known && sameWaddle(known, w)) return known;
  const fresh: WaddleInfo = { id: w.id, name: w.name, textChannels: w.textChannels, voiceChannels: w.voiceChannels };
  if (sharedWaddles.size >= SHARED_WADDLES_MAX) sharedWaddles.clear(); // bounded, whatever the servers
  sharedWaddles.set(w.id, fresh);
  return fresh;
}

function sameWaddle(a: WaddleInfo, b: WaddleSummary): boolean {
  // the same list is the rule: the frame memo (frame-memo.ts) hands every client of a thread one parsed copy
  const same = (x: readonly { id: string; name: string }[], y: readonly { id: string; name: string }[]): boolean =>
    x === y || (x.length === y.length && x.every((c, i) => c.id === y[i]?.id && c.name === y[i]?.name));
  return a.name === b.name && same(a.textChannels, b.textChannels) && same(a.voiceChannels, b.voiceChannels);
}
