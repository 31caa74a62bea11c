// Metrics engine cost on the load generator, where every microsecond is taken from the browsers:
// - record() time per value;
// - tick() (close an interval: percentiles + encoding of every series) and totals() (what the
//   abortOnFail check reads every second) with a realistic series count: every webrtc trend
//   for 3 media kinds × 2 directions × 3 journeys, plus step timings;
// - heap over a long run (many intervals), which must stay flat: intervals are handed to sinks,
//   not kept.
// Prints figures only; these machines are shared and noisy, so medians of repeated rounds.
// Run: npm run bench -- metrics
import { performance } from 'node:perf_hooks';
import { catalogue, type MetricName } from '../metrics/catalogue.ts';
import { MetricsHub } from '../metrics/hub.ts';
import type { Sink } from '../metrics/types.ts';

const nullSink: Sink = { name: 'null', writeInterval() {}, writeSamples() {}, async flush() {}, async close() { return { generated: 0, delivered: 0, retried: 0, spilled: 0, dropped: 0 }; } };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const journeys = ['chatMessaging', 'voiceCall', 'videoCall', 'screenShare', 'fileUpload', 'mixedUsage'];
const steps = ['connect', 'join_waddle', 'join_voice', 'send_message', 'upload', 'leave_voice'];
const webrtcTrends = Object.entries(catalogue)
  .filter(([name, def]) => name.startsWith('webrtc.') && def.kind === 'trend' && (def.tags as readonly string[]).includes('direction'))
  .map(([name]) => name as MetricName);

/** one interval's worth of records; returns µs per value */
function recordInterval(hub: MetricsHub, values: number): number {
  const t0 = performance.now();
  let n = 0;
  for (let i = 0; n < values; i++) {
    hub.record('step.duration_ms', (i * 7919) % 20_000, { journey: journeys[i % 6]!, step: steps[(i >> 3) % 6]! });
    hub.record('chat.delivery_ms', (i * 31) % 3000, { journey: 'chatMessaging' });
    const metric = webrtcTrends[i % webrtcTrends.length]!;
    hub.record(metric, (i * 131) % 5000, { journey: journeys[1 + ((i >> 2) % 3)]!, kind: ['audio', 'video', 'screen'][i % 3]!, direction: (i >> 4) % 2 ? 'inbound' : 'outbound' });
    n += 3;
  }
  return ((performance.now() - t0) * 1000) / n;
}

const hub = new MetricsHub({ runId: 'bench', shard: '1/1', sinks: [nullSink] });
const perValueUs: number[] = [];
const tickMs: number[] = [];
const totalsMs: number[] = [];
const heapMb: number[] = [];
const intervals = 600; // 50 minutes at 5 s intervals
const valuesPerInterval = 6000;
for (let i = 0; i < intervals; i++) {
  perValueUs.push(recordInterval(hub, valuesPerInterval));
  let t0 = performance.now();
  hub.tick();
  tickMs.push(performance.now() - t0);
  if (i % 10 === 0) {
    t0 = performance.now();
    hub.totals();
    totalsMs.push(performance.now() - t0);
  }
  if (i % 100 === 99) {
    globalThis.gc?.();
    heapMb.push(process.memoryUsage().heapUsed / 1e6);
  }
}
const series = hub.totals().length;
const slope = (heapMb.at(-1)! - heapMb[0]!) / (heapMb.length - 1);
console.log(`metrics bench: ${series} series, ${intervals} intervals × ${valuesPerInterval} values`);
console.log(`metrics bench: record() median ${median(perValueUs).toFixed(2)} µs/value`);
console.log(`metrics bench: tick() median ${median(tickMs).toFixed(1)} ms, max ${Math.max(...tickMs).toFixed(1)} ms (close an interval: percentiles + encoding of every series)`);
console.log(`metrics bench: totals() median ${median(totalsMs).toFixed(1)} ms (run-wide merge, read by the abortOnFail check each second)`);
console.log(`metrics bench: heap every 100 intervals (MB): ${heapMb.map((m) => m.toFixed(1)).join(', ')} → slope ${slope.toFixed(2)} MB per 100 intervals${globalThis.gc ? '' : ' (run with --expose-gc for exact figures)'}`);
await hub.close(Date.now() + 1000);
