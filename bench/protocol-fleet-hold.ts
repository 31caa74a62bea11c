// The hold's figures of a protocol-fleet run (bench/protocol-fleet-plan.ts, issue 18 item 4): what
// the fleet's tree and its Node process used while every user was in (from the end of the first
// phase's ramp + --skip to the phase's end), per unit of work, and how late its event loops ran.
//
//   npx tsx bench/protocol-fleet-hold.ts <run folder> [--skip 5]
//
// CPU per delivery is the steadier figure on a shared machine: a starved run does less work, and
// says so in deliveries/s (the plan's full size asks ~15,000 a second).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import type { IntervalSnapshot } from '../metrics/types.ts';

const [dir, ...rest] = process.argv.slice(2);
if (!dir || dir === '--help') {
  console.log('npx tsx bench/protocol-fleet-hold.ts <run folder> [--skip seconds after the ramp, default 5]');
  process.exit(dir ? 0 : 2);
}
const skipAt = rest.indexOf('--skip');
const skipMs = (skipAt >= 0 ? Number(rest[skipAt + 1]) : 5) * 1000;
const plan = JSON.parse(readFileSync(join(dir, 'plan.json'), 'utf8')) as { phases: { name: string; rampEndMs: number; endMs: number }[] };
const rows = readFileSync(join(dir, 'intervals.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as IntervalSnapshot);
const phase = plan.phases[0]!;
const loadStartMs = rows.find((r) => r.phase === phase.name)?.startMs ?? rows[0]!.startMs;
const from = loadStartMs + phase.rampEndMs + skipMs;
const to = loadStartMs + phase.endMs;
const hold = rows.filter((r) => r.phase === phase.name && r.startMs >= from && r.endMs <= to + 1000);
if (hold.length === 0) throw new Error(`no interval of ${phase.name} between ${from} and ${to}: did the run reach its hold?`);

const spanS = hold.reduce((s, r) => s + (r.endMs - r.startMs), 0) / 1000;
const gauge = (metric: string): number[] => hold.flatMap((r) => r.series.filter((s) => s.metric === metric && s.count > 0).map((s) => s.sum / s.count));
const total = (metric: string, step?: string): number => hold.reduce((n, r) => n + r.series.filter((s) => s.metric === metric && (step === undefined || s.tags.step === step)).reduce((m, s) => m + (step ? s.count : s.sum), 0), 0);
const mean = (xs: number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const loop = hold.flatMap((r) => r.series.filter((s) => s.metric === 'generator.event_loop_delay_ms' && s.count > 0));
const treeOfOneCore = mean(gauge('generator.cpu_pct')) * os.availableParallelism();
const nodeCpu = mean(gauge('generator.node_cpu_pct'));
const received = total('chat.messages_received');
const sent = total('chat.messages_sent');
console.log(`hold: ${spanS.toFixed(0)} s (${hold.length} intervals from the ramp's end + ${skipMs / 1000} s)`);
console.log(`fleet tree CPU mean ${treeOfOneCore.toFixed(1)}% of one core (generator.cpu_pct × ${os.availableParallelism()} cores: this machine's); Node process ${nodeCpu.toFixed(1)}%`);
const lateIntervals = hold.filter((r) => r.series.some((s) => s.metric === 'generator.event_loop_delay_ms' && s.count > 0 && s.max >= 100)).length;
console.log(`event loop (worst thread, p99 per sample): mean ${mean(loop.map((s) => s.sum / s.count)).toFixed(0)} ms, worst ${Math.max(0, ...loop.map((s) => s.max)).toFixed(0)} ms; ${lateIntervals} of ${hold.length} intervals at 100 ms or more (issue 18's goal: none)`);
console.log(`chat: ${((sent / spanS) * 60).toFixed(0)} sent/min, ${(received / spanS).toFixed(0)} deliveries/s, ${received > 0 ? (((nodeCpu / 100) * spanS * 1e6) / received).toFixed(1) : '-'} Node CPU-µs per delivery (sends included)`);
console.log(`voice: ${(total('step.duration_ms', 'set_muted') / spanS).toFixed(1)} set_muted/s`);

// memory while nothing joins or leaves: a slope that stays is something kept per message or delivery
const level = (metric: string): { atS: number; mb: number }[] => hold.flatMap((r) => r.series.filter((x) => x.metric === metric && x.last !== undefined).map((x) => ({ atS: (r.endMs - from) / 1000, mb: x.last! })));
const slopePerMin = (points: { atS: number; mb: number }[]): number => {
  const mx = mean(points.map((p) => p.atS));
  const my = mean(points.map((p) => p.mb));
  const num = points.reduce((n, p) => n + (p.atS - mx) * (p.mb - my), 0);
  const den = points.reduce((n, p) => n + (p.atS - mx) ** 2, 0);
  return den > 0 ? (num / den) * 60 : NaN;
};
for (const [metric, name] of [['generator.memory_mb', 'RSS'], ['generator.node_heap_mb', 'main heap'], ['generator.worker_heap_mb', 'worker heaps']] as const) {
  const points = level(metric);
  if (points.length < 2) continue;
  console.log(`${name}: ${points[0]!.mb.toFixed(0)} -> ${points.at(-1)!.mb.toFixed(0)} MB, min ${Math.min(...points.map((p) => p.mb)).toFixed(0)}, max ${Math.max(...points.map((p) => p.mb)).toFixed(0)}, slope ${slopePerMin(points).toFixed(1)} MB/min`);
}
const pauses = hold.flatMap((r) => r.series.filter((x) => x.metric === 'generator.gc_pause_ms' && x.count > 0));
for (const thread of ['worker', 'main']) {
  const of = (kind: string) => pauses.filter((x) => x.tags.thread === thread && x.tags.kind === kind);
  const major = of('major');
  if (pauses.some((x) => x.tags.thread === thread)) {
    console.log(`GC (${thread}): longest major ${Math.max(0, ...major.map((x) => x.max)).toFixed(0)} ms (in ${major.length} of ${hold.length} intervals; over 100 ms in ${major.filter((x) => x.max > 100).length}), longest minor ${Math.max(0, ...of('minor').map((x) => x.max)).toFixed(0)} ms`);
  }
}
