// Findings about the machines: the generator (CPU, memory, saturation, growth) and the target
// (CPU, memory, growth). CPU that is high only while browsers launch is start-up, not a finding
// about the run under load; the saturation verdict is the run's own and is repeated as is.
import type { RunSummary } from '../metrics/run-summary.ts';
import type { IntervalSnapshot } from '../metrics/types.ts';
import type { BottleneckLimits } from './bottlenecks.ts';
import { evidence, fmt, type FindingList } from './finding.ts';
import { generatorFit } from './generator-fit.ts';
import { gaugeLevels, gaugeP95, memoryGrowth } from './interval-stats.ts';
import { cappedSfuLevels, medianOf, type CappedLevel } from './sfu-cpu-limit.ts';
import { intervalsWhere, onlyAtStartup, phasesOf, type StartupWindow } from './startup.ts';

export interface MachineRuleContext {
  readonly summary: RunSummary;
  readonly intervals: readonly IntervalSnapshot[];
  readonly limits: BottleneckLimits;
  readonly startup: StartupWindow;
}

const levelsAbove = (intervals: readonly IntervalSnapshot[], metric: string, limit: number): IntervalSnapshot[] =>
  intervalsWhere(intervals, metric, {}, (mine) => mine.reduce((a, s) => a + (s.last ?? 0), 0) > limit);

/** intervals holding a level of the gauge; the summary's count when the run has no intervals */
function levelCount(ctx: MachineRuleContext, metric: string): number {
  const levels = gaugeLevels(ctx.intervals, metric).length;
  return levels > 0 ? levels : ctx.summary.metrics.find((m) => m.metric === metric)?.count ?? 0;
}

function generatorCpu(ctx: MachineRuleContext, out: FindingList): void {
  const { limits: l } = ctx;
  const gen = ctx.summary.generator;
  const samples = levelCount(ctx, 'generator.cpu_pct');
  const fit = generatorFit(ctx.summary)?.advice;
  if (gen.saturated) {
    out.add({ type: 'generator_saturation', component: 'generator', severity: 'critical', area: 'load', observed: gen.cpuPercentP95, limit: l.cpuPct,
      details: `the load generator was saturated (${gen.reasons.join('; ') || 'see generator health'}); the verdict is inconclusive`,
      recommendation: `The numbers describe the generator, not the target. ${fit ?? 'Rerun on a machine without other work, or shard over more workers (--shard i/n).'}`,
      evidence: evidence('saturation', 'generator.cpu_pct', {}, Math.max(1, samples), phasesOf(levelsAbove(ctx.intervals, 'generator.cpu_pct', l.cpuPct)), 'decided by the run (summary.generator.saturated)') });
  }
  if (gen.cpuPercentP95 <= l.cpuPct) return;
  const high = levelsAbove(ctx.intervals, 'generator.cpu_pct', l.cpuPct);
  const startupOnly = !gen.saturated && onlyAtStartup(high, ctx.startup.launchEndMs);
  // Bursts (browsers launching during a ramp) that never lasted the saturation window do not
  // make the run inconclusive; say so rather than contradict the verdict.
  out.add({ type: 'generator_cpu', component: 'generator', severity: gen.saturated ? 'critical' : startupOnly ? 'low' : 'medium', area: startupOnly ? 'start-up' : 'load',
    observed: gen.cpuPercentP95, limit: l.cpuPct,
    details: `generator CPU p95 ${fmt(gen.cpuPercentP95)}% > ${l.cpuPct}% of the machine (max ${fmt(gen.cpuPercentMax)}%)` +
      (gen.saturated ? '' : startupOnly ? ', only while browsers launched (start-up), so the verdict stands' : ', in bursts shorter than the saturation window, so the verdict stands'),
    recommendation: fit ?? 'Add generator capacity: more shards/workers, fewer video users per machine, or lower fake-media resolution.',
    evidence: evidence('gaugeIntervals', 'generator.cpu_pct', {}, samples, phasesOf(high)) });
}

function memoryPeaks(ctx: MachineRuleContext, out: FindingList): void {
  const { limits: l, summary } = ctx;
  const sysMem = summary.metrics.find((m) => m.metric === 'generator.system_memory_pct');
  if (sysMem && sysMem.count > 0 && sysMem.max > l.memoryPct) {
    out.add({ type: 'generator_memory', component: 'generator', severity: 'critical', area: 'load', observed: sysMem.max, limit: l.memoryPct,
      details: `generator machine memory peaked at ${fmt(sysMem.max)}% > ${l.memoryPct}% (fleet RSS max ${fmt(summary.generator.memoryMaxMb, 0)} MB)`,
      recommendation: 'Lower --contexts-per-browser or users per worker; check that contexts close after each user (memory slope over the run).',
      evidence: evidence('gaugeIntervals', 'generator.system_memory_pct', {}, levelCount(ctx, 'generator.system_memory_pct'), phasesOf(levelsAbove(ctx.intervals, 'generator.system_memory_pct', l.memoryPct))) });
  }
  const targetMem = summary.metrics.find((m) => m.metric === 'target.memory_mb');
  if (l.targetMemoryLimitMb && targetMem && targetMem.count > 0 && (targetMem.max / l.targetMemoryLimitMb) * 100 > l.memoryPct) {
    const pct = (targetMem.max / l.targetMemoryLimitMb) * 100;
    out.add({ type: 'target_memory', component: 'target', severity: 'high', area: 'load', observed: pct, limit: l.memoryPct,
      details: `target memory peaked at ${fmt(targetMem.max, 0)} MB, ${fmt(pct)}% of its ${l.targetMemoryLimitMb} MB limit`,
      recommendation: 'Look for per-connection buffers or caches that grow with users; raise the limit only after the slope is understood.',
      evidence: evidence('gaugeIntervals', 'target.memory_mb', {}, levelCount(ctx, 'target.memory_mb'), phasesOf(levelsAbove(ctx.intervals, 'target.memory_mb', (l.memoryPct / 100) * l.targetMemoryLimitMb))) });
  }
}

// the target's own process, and its media server when calls go through one (reference Waddle
// --media sfu): either one saturated is the target's limit, not the generator's
const targetCpuMetrics = [
  { metric: 'target.cpu_pct', type: 'target_cpu', what: 'target CPU',
    recommendation: 'The target is CPU bound: profile its hot paths (message fan-out, JSON encoding), or scale it out behind a balancer.' },
  { metric: 'target.sfu_cpu_pct', type: 'target_sfu_cpu', what: "target's media server (SFU) CPU",
    recommendation: 'The media server is CPU bound: fewer forwarded streams per SFU (smaller rooms, lower resolution or bitrate), or more SFU instances.' },
] as const;

function targetCpu(ctx: MachineRuleContext, out: FindingList): void {
  const { limits: l } = ctx;
  const capped = cappedSfuLevels(ctx.intervals);
  for (const t of targetCpuMetrics) {
    if (t.type === 'target_sfu_cpu' && capped.length > 0) {
      cappedSfuCpu(ctx, capped, t, out);
      continue;
    }
    const p95 = gaugeP95(ctx.intervals, t.metric) ?? ctx.summary.metrics.find((m) => m.metric === t.metric)?.max;
    if (p95 === undefined || p95 === null || p95 <= l.cpuPct) continue;
    const high = levelsAbove(ctx.intervals, t.metric, l.cpuPct);
    const startupOnly = onlyAtStartup(high, ctx.startup.launchEndMs);
    out.add({ type: t.type, component: 'target', severity: startupOnly ? 'low' : 'high', area: startupOnly ? 'start-up' : 'load', observed: p95, limit: l.cpuPct,
      details: `${t.what} p95 ${fmt(p95)}% of one core > ${l.cpuPct}%${startupOnly ? ', only while users first connected' : ''}`,
      recommendation: t.recommendation,
      evidence: evidence('gaugeIntervals', t.metric, {}, levelCount(ctx, t.metric), phasesOf(high)) });
  }
}

/** target_sfu_cpu for an SFU with a CPU limit: its use as a share of the limit, interval by interval */
function cappedSfuCpu(ctx: MachineRuleContext, capped: readonly CappedLevel[], t: (typeof targetCpuMetrics)[number], out: FindingList): void {
  const { limits: l } = ctx;
  const median = medianOf(capped, (c) => c.pctOfLimit);
  if (!median || median.pctOfLimit <= l.cpuPct) return;
  const high = capped.filter((c) => c.pctOfLimit > l.cpuPct).map((c) => c.interval);
  const startupOnly = onlyAtStartup(high, ctx.startup.launchEndMs);
  out.add({ type: t.type, component: 'target', severity: startupOnly ? 'low' : 'high', area: startupOnly ? 'start-up' : 'load', observed: median.pctOfLimit, limit: l.cpuPct,
    details: `${t.what} median ${fmt(median.pctOfLimit)}% of its CPU limit (${fmt(median.usePct)}% of one core used, limit ${fmt(median.limitPct)}%) > ${l.cpuPct}%: the SFU ran at its cap${startupOnly ? ', only while users first connected' : ''}`,
    recommendation: `${t.recommendation} Or raise the media server's CPU limit (target.sfu_cpu_limit_pct).`,
    evidence: evidence('gaugeIntervals', t.metric, {}, capped.length, phasesOf(high)) });
}

// growth of more than 10% over the window and 50 MB an hour: worth a look before the next soak
const leaks = [
  { metric: 'target.memory_mb', type: 'target_memory_growth', component: 'target', severity: 'high',
    recommendation: 'Memory kept climbing under a steady load: take heap snapshots of the target an hour apart and diff them (per-connection state, history, timers not freed on leave).' },
  { metric: 'generator.memory_mb', type: 'generator_memory_growth', component: 'generator', severity: 'medium',
    recommendation: 'The fleet itself grew under a steady load: check that browser contexts close when users end, and lower --contexts-per-browser for long soaks.' },
] as const;

function memoryGrowthRules(ctx: MachineRuleContext, out: FindingList): void {
  for (const leak of leaks) {
    const g = memoryGrowth(ctx.intervals, leak.metric);
    if (!g || g.mbPerHour <= 50 || g.toMb <= 1.1 * g.fromMb) continue;
    const window = ctx.intervals.filter((i) => i.endMs >= g.fromMs && i.endMs <= g.toMs);
    out.add({ type: leak.type, component: leak.component, severity: leak.severity, area: 'load', observed: g.mbPerHour, limit: 50,
      details: `${leak.component} memory grew ${fmt(g.fromMb, 0)} → ${fmt(g.toMb, 0)} MB over the last ${fmt(g.minutes, 0)} minutes at a steady load (${fmt(g.mbPerHour, 0)} MB/h)`,
      recommendation: leak.recommendation,
      evidence: evidence('memoryGrowthIntervals', leak.metric, {}, g.samples, phasesOf(window)) });
  }
}

export function machineRules(ctx: MachineRuleContext, out: FindingList): void {
  generatorCpu(ctx, out);
  memoryPeaks(ctx, out);
  targetCpu(ctx, out);
  memoryGrowthRules(ctx, out);
}
