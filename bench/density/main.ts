// npm run bench:density — how many browser users one machine holds, the fleet's real path side by
// side with the usual plain-Playwright way, back to back in one invocation on one machine.
//
//   npm run bench:density -- [--workloads chat,video,idle] [--ways fleet,usual]
//        [--window steady|plateau] [--sizes chat=5,10 --sizes video=2,4] [--sample 30s] [--warm 20s] [--cpu-limit 80]
//        [--fleet-arg=--chromium-arg=--some-flag ...] [--json out.json] [--threads]
//        [--variant 'NAME=fleet:--chromium-arg=--flag' | 'NAME=usual:{"context":{"deviceScaleFactor":0.5}}' ...]
//        (a variant is one more way, named in --ways: to measure a lever side by side with the ways)
//        [--confirm] [--confirm-duration 5m] [--confirm-only fleet:chat=19,usual:chat=24]
//
// For each workload, each way is measured at two sizes (way order alternates, so neither always
// runs on a warmer machine); users per machine = the most users whose CPU (a line through the two
// sizes) stays ≤ --cpu-limit % of the machine and whose PSS stays within 80% of its memory.
// Prints a table with the ratio fleet/usual, the quality checks at the measured sizes, the CPU of
// each way split by process type (renderer, browser, GPU, utility, Node) and the load average (the
// machine is shared: figures are medians of windows, and noisy).
// Windows: `steady` samples after a 20 s settle; `plateau` waits until a chat user's message list
// is full (the reference client keeps 300 messages; at 5 messages/s rendered that is ~60 s after
// the user started, so the settle becomes 80 s): before that every message costs more to lay out
// than the one before, after it the cost per message holds. The usual way is
// bench/density/usual-way.ts: plain Playwright as a tester writes it, no fleet code.
// Confirm (--confirm, or --confirm-duration, default 5m): after the sizes, each way runs at its
// users per machine N for the confirm duration (same settle, users started at the larger size's
// rate, same sampler and quality checks), and a line per way and workload says: CPU mean, p95 of
// the windows and the last minute's mean (% of the machine), the most PSS read, the quality, and
// "confirmed" (CPU mean ≤ --cpu-limit, PSS ≤ 80% of memory, quality holds) or "not confirmed: why"
// (N−1 is then not tried: the line was wrong, and the line says so). --confirm-only WAY:WORKLOAD=N
// (comma-separated or repeated) runs only those confirms, no sizes. --json gets `confirms`.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseDurationMs } from '../../plans/duration.ts';
import { parseConfirmDuration, parseConfirmOnly, runConfirms, type ConfirmTarget } from './confirm.ts';
import { capacity, qualityText } from './figures.ts';
import { measure, type Measurement, type WayVariant } from './measure.ts';
import { defaultTimeline, workloads, type Timeline, type WorkloadName } from './workloads.ts';

const argv = process.argv.slice(2);
if (argv.includes('--help') || argv.includes('-h')) {
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(new URL(import.meta.url), 'utf8').split('\n');
  const header = lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, ''));
  console.log(header.join('\n'));
  process.exit(0);
}
const value = (name: string): string[] =>
  argv.flatMap((a, i) => (a === name ? [argv[i + 1] ?? ''] : a.startsWith(`${name}=`) ? [a.slice(name.length + 1)] : []));
const seconds = (name: string, fallbackMs: number) => {
  const v = value(name)[0];
  return v === undefined ? fallbackMs : /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : parseDurationMs(v, `bench:density: ${name}`);
};
const chosen = (value('--workloads')[0] ?? 'chat,video,idle').split(',') as WorkloadName[];
const ways = (value('--ways')[0] ?? 'fleet,usual').split(',');
const fleetArgs = value('--fleet-arg');
const variants = new Map<string, WayVariant>([
  ['fleet', { base: 'fleet', fleetArgs }],
  ['usual', { base: 'usual' }],
]);
for (const spec of value('--variant')) {
  const m = /^([\w.-]+)=(fleet|usual):(.*)$/.exec(spec);
  if (!m) throw new Error(`bench:density: --variant ${spec}: expected NAME=fleet:ARGS or NAME=usual:JSON`);
  variants.set(m[1]!, m[2] === 'fleet' ? { base: 'fleet', fleetArgs: [...fleetArgs, ...m[3]!.split(' ').filter(Boolean)] } : { base: 'usual', usual: JSON.parse(m[3]!) as WayVariant['usual'] & object });
}
const unknown = [...chosen.filter((w) => !(w in workloads)), ...ways.filter((w) => !variants.has(w))];
if (unknown.length) throw new Error(`bench:density: unknown workload or way ${unknown.join(', ')}; workloads: ${Object.keys(workloads).join(', ')}; ways: ${[...variants.keys()].join(', ')}`);
const sizes = new Map(value('--sizes').map((s) => s.split('=') as [string, string]).map(([w, list]) => [w, list.split(',').map(Number) as [number, number]]));
const windowName = value('--window')[0] ?? 'steady';
if (!['steady', 'plateau'].includes(windowName)) throw new Error(`bench:density: --window ${windowName}: expected steady or plateau`);
// plateau: the message list full (300 kept, ~5 rendered a second: ~60 s after a user's start) before sampling
const plateauWarmMs = 80_000;
const timeline: Timeline = { ...defaultTimeline, sampleMs: seconds('--sample', defaultTimeline.sampleMs), warmMs: seconds('--warm', windowName === 'plateau' ? plateauWarmMs : defaultTimeline.warmMs) };
const cpuLimitPct = Number(value('--cpu-limit')[0] ?? 80);
const memLimitMb = (os.totalmem() / 2 ** 20) * 0.8;
const jsonOut = value('--json')[0];
const confirmOnly = value('--confirm-only').flatMap((spec) => parseConfirmOnly(spec, new Set(variants.keys())));
const confirming = argv.includes('--confirm') || value('--confirm-duration').length > 0 || confirmOnly.length > 0;
const confirmMs = parseConfirmDuration(value('--confirm-duration')[0]);
const sized = (name: WorkloadName) => ({ ...workloads[name], sizes: sizes.get(name) ?? workloads[name].sizes });

const results: Measurement[] = [];
const started = os.loadavg();
console.log(`bench:density on ${os.availableParallelism()} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; load average ${started.map((l) => l.toFixed(2)).join(' ')} at start`);
console.log(`window ${windowName}; timeline: ramp ${timeline.rampMs / 1000} s, settle ${timeline.warmMs / 1000} s, then ${timeline.sampleMs / 1000} s in ${timeline.windowMs / 1000} s windows${fleetArgs.length ? `; fleet args ${fleetArgs.join(' ')}` : ''}`);
let flip = false;
// --confirm-only: no sizes, only the confirms named
for (const name of confirmOnly.length ? [] : chosen) {
  const w = sized(name);
  for (const users of w.sizes) {
    const order = flip ? [...ways].reverse() : ways;
    flip = !flip;
    for (const way of order) {
      const m = await measure(way, variants.get(way)!, w, users, timeline, { threads: argv.includes('--threads') });
      results.push(m);
      printMeasurement(m);
    }
  }
}
if (results.length) console.log(`\n| work | way | users per machine (≤${cpuLimitPct}% CPU, ≤80% memory) | CPU % per user | PSS MB per user | quality at the measured sizes |\n| --- | --- | --- | --- | --- | --- |`);
const summary: Record<string, Record<string, ReturnType<typeof capacity>>> = {};
for (const name of chosen) {
  for (const way of ways) {
    const mine = results.filter((r) => r.workload === name && r.way === way);
    if (mine.length === 0) continue;
    const cap = capacity(mine.map((r) => ({ users: r.users, cpuPct: r.cpuPct, pssMb: r.pssMb })), cpuLimitPct, memLimitMb, workloads[name].roomSize ?? 1);
    (summary[name] ??= {})[way] = cap;
    const problems = mine.flatMap((r) => r.quality.problems.map((p) => `${r.users} users: ${p}`));
    console.log(`| ${name} | ${way} | ${cap.users} (${cap.boundBy}) | ${cap.cpuPerUser.toFixed(2)} | ${cap.pssPerUser.toFixed(0)} | ${problems.length ? problems.join('; ') : 'holds'} |`);
  }
  const s = summary[name] ?? {};
  const reference = s.usual ?? s[ways[0]!];
  for (const way of ways.filter((x) => x !== 'usual' && s[x] && s[x] !== reference)) {
    const c = s[way]!;
    console.log(`| ${name} | ${way}/${s.usual ? 'usual' : ways[0]} | ×${(c.users / Math.max(1, reference!.users)).toFixed(2)} | ×${(c.cpuPerUser / reference!.cpuPerUser).toFixed(2)} | ×${(c.pssPerUser / reference!.pssPerUser).toFixed(2)} | |`);
  }
}
// the confirms: each way at its N for the confirm duration (confirm.ts), way order alternating by workload
const targets: ConfirmTarget[] = confirmOnly.length ? confirmOnly : !confirming ? [] : chosen.flatMap((name, i) =>
  (i % 2 ? [...ways].reverse() : ways).flatMap((way) => (summary[name]?.[way] ? [{ way, workload: name, users: summary[name][way].users }] : [])));
if (targets.length) console.log(`\nconfirms: ${targets.map((c) => `${c.way} ${c.workload} at ${c.users}`).join(', ')}, ${confirmMs / 1000} s each, CPU mean ≤ ${cpuLimitPct}% of the machine`);
const confirms = await runConfirms(targets, sized, { variants, timeline, durationMs: confirmMs, cpuLimitPct, memLimitMb, threads: argv.includes('--threads') });
const ended = os.loadavg();
console.log(`\nload average ${ended.map((l) => l.toFixed(2)).join(' ')} at the end (${os.availableParallelism()} cores; above ~1.5 the figures carry other people's load)`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ timeline, cpuLimitPct, fleetArgs, loadAverage: { started, ended }, results, summary, ...(targets.length ? { confirmDurationMs: confirmMs, confirms } : {}) }, null, 2));

function printMeasurement(m: Measurement): void {
  const kinds = Object.entries(m.byKindPct).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
  const quality = qualityText(m.quality);
  console.log(`${m.workload.padEnd(5)} ${m.way.padEnd(5)} ${String(m.users).padStart(3)} users: CPU ${m.cpuPct.toFixed(1)}% (${(m.cpuPct / m.users).toFixed(2)}/user; machine ${m.machinePct.toFixed(0)}%, load ${m.loadAverage.toFixed(1)}), PSS ${m.pssMb.toFixed(0)} MB (${(m.pssMb / m.users).toFixed(0)}/user, ${m.renderers} renderers); ${quality}\n      by process: ${kinds}`);
  const top = Object.entries(m.byThreadPct).sort((a, b) => b[1] - a[1]).slice(0, 12);
  if (top.length) console.log(top.map(([k, v]) => `      ${v.toFixed(2).padStart(6)}% ${k}`).join('\n'));
}
