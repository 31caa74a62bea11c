// The confirm of a capacity (issue 18: "absolute capacities that a 5-minute run at that size
// confirms"). Two sizes give a line, and the line gives N users per machine; but a line is a guess
// beyond its sizes, and a short window can miss what grows (a chat user's message list fills for
// ~75 s and each message costs more to lay out until then). So each way is run at its N for a long
// window (5 minutes unless told) with the same sampler and the same quality checks as the sizes,
// and N is confirmed only when that run held: the CPU mean over the window ≤ the CPU limit, the
// most PSS read within the memory limit, and the quality holds. The CPU p95 (of the windows) is
// reported, not judged: a mean at the limit has windows above it. When N is not confirmed, N−1 is
// not tried: the line was wrong and the report says so, rather than hunt for a figure.
import { parseDurationMs } from '../../plans/duration.ts';
import { percentile, qualityText, type Quality } from './figures.ts';
import { measure, type Measurement, type WayVariant } from './measure.ts';
import { workloads, type Timeline, type Workload, type WorkloadName } from './workloads.ts';

export const defaultConfirmMs = 5 * 60_000;

/** One way at one number of users for one workload: what a confirm runs. */
export interface ConfirmTarget {
  readonly way: string;
  readonly workload: WorkloadName;
  readonly users: number;
}

export interface Confirm extends ConfirmTarget {
  readonly durationMs: number;
  /** the tree's CPU over the window, % of the machine: mean and p95 of the windows, mean of the last minute */
  readonly cpuMeanPct: number;
  readonly cpuP95Pct: number;
  readonly cpuLastMinuteMeanPct: number;
  readonly machinePct: number;
  /** the tree's CPU by process type, median of the windows, % of the machine */
  readonly byKindPct?: Readonly<Record<string, number>>;
  readonly pssPeakMb: number;
  readonly loadAverage: number;
  readonly quality?: Quality;
  readonly confirmed: boolean;
  /** why not confirmed; empty when confirmed */
  readonly why: readonly string[];
}

/** `--confirm-only fleet:chat=19,usual:chat=24` (or the flag repeated) → the confirms to run. */
export function parseConfirmOnly(spec: string, ways: ReadonlySet<string>): ConfirmTarget[] {
  return spec.split(',').filter(Boolean).map((one) => {
    const m = /^([\w.-]+):(\w+)=(\d+)$/.exec(one.trim());
    if (!m) throw new Error(`bench:density: --confirm-only ${one}: expected WAY:WORKLOAD=USERS (e.g. fleet:chat=19)`);
    const [, way, workload, users] = m as unknown as [string, string, string, string];
    if (!ways.has(way)) throw new Error(`bench:density: --confirm-only ${one}: unknown way ${way}; ways: ${[...ways].join(', ')}`);
    if (!(workload in workloads)) throw new Error(`bench:density: --confirm-only ${one}: unknown workload ${workload}; workloads: ${Object.keys(workloads).join(', ')}`);
    if (!(Number(users) > 0)) throw new Error(`bench:density: --confirm-only ${one}: users must be at least 1`);
    return { way, workload: workload as WorkloadName, users: Number(users) };
  });
}

/** `--confirm-duration`: a duration with a unit ('5m', '40s'); a bare number is seconds, like --sample. */
export function parseConfirmDuration(text: string | undefined): number {
  if (text === undefined) return defaultConfirmMs;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : parseDurationMs(text, 'bench:density: --confirm-duration');
  if (!(ms >= 10_000)) throw new Error(`bench:density: --confirm-duration ${text}: at least 10s (two CPU windows)`);
  return ms;
}

/**
 * The confirm's timeline: the sizes' settle, the confirm duration sampled, and users started at
 * the rate of the larger size (N users in a ramp as short as 5 users' would be a spike, not a load).
 */
export function confirmTimeline(t: Timeline, largerSize: number, users: number, durationMs: number): Timeline {
  return { ...t, rampMs: Math.max(t.rampMs, Math.round((t.rampMs * users) / Math.max(1, largerSize))), sampleMs: durationMs };
}

export interface ConfirmFigures {
  readonly cpuWindowsPct: readonly number[];
  readonly pssPeakMb: number;
  readonly quality: Quality;
}

/** The verdict on a confirm run: the CPU mean within the limit, the PSS within memory, the quality holding. */
export function judgeConfirm(f: ConfirmFigures, cpuLimitPct: number, memLimitMb: number, windowMs: number): Pick<Confirm, 'cpuMeanPct' | 'cpuP95Pct' | 'cpuLastMinuteMeanPct' | 'confirmed' | 'why'> {
  const xs = f.cpuWindowsPct;
  const mean = (v: readonly number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
  const cpuMeanPct = mean(xs);
  const cpuLastMinuteMeanPct = mean(xs.slice(-Math.max(1, Math.round(60_000 / windowMs))));
  const why: string[] = [];
  if (xs.length < 2) why.push(`${xs.length} CPU windows (too short to judge)`);
  if (!(cpuMeanPct <= cpuLimitPct)) why.push(`CPU mean ${cpuMeanPct.toFixed(1)}% of the machine > ${cpuLimitPct}%`);
  if (!(f.pssPeakMb <= memLimitMb)) why.push(`PSS ${f.pssPeakMb.toFixed(0)} MB > ${memLimitMb.toFixed(0)} MB (80% of memory)`);
  why.push(...f.quality.problems);
  return { cpuMeanPct, cpuP95Pct: percentile(xs, 95), cpuLastMinuteMeanPct, confirmed: why.length === 0, why };
}

export interface ConfirmContext {
  readonly variants: ReadonlyMap<string, WayVariant>;
  readonly timeline: Timeline;
  readonly durationMs: number;
  readonly cpuLimitPct: number;
  readonly memLimitMb: number;
  readonly threads: boolean;
}

/** Runs one confirm; a run that fails (the way crashed, the fleet exited 1 or 2) is a confirm that failed, said so. */
export async function runConfirm(target: ConfirmTarget, w: Workload, ctx: ConfirmContext): Promise<Confirm> {
  const base = { ...target, durationMs: ctx.durationMs, cpuMeanPct: NaN, cpuP95Pct: NaN, cpuLastMinuteMeanPct: NaN, machinePct: NaN, pssPeakMb: NaN, loadAverage: NaN };
  if (target.users < 1) return { ...base, confirmed: false, why: ['the two sizes predict 0 users, nothing to confirm'] };
  const t = confirmTimeline(ctx.timeline, Math.max(...w.sizes), target.users, ctx.durationMs);
  let m: Measurement;
  try {
    m = await measure(target.way, ctx.variants.get(target.way)!, w, target.users, t, { threads: ctx.threads, pssEachWindow: true });
  } catch (e) {
    return { ...base, confirmed: false, why: [`the run failed: ${String((e as Error).message).split('\n')[0]}`] };
  }
  const pssPeakMb = m.pssPeakMb ?? m.pssMb;
  const verdict = judgeConfirm({ cpuWindowsPct: m.cpuWindowsPct, pssPeakMb, quality: m.quality }, ctx.cpuLimitPct, ctx.memLimitMb, t.windowMs);
  return { ...base, ...verdict, machinePct: m.machinePct, byKindPct: m.byKindPct, pssPeakMb, loadAverage: m.loadAverage, quality: m.quality };
}

/** One line per confirm: the figures, the quality, the verdict. */
export function confirmText(c: Confirm): string {
  const head = `confirm ${c.workload.padEnd(5)} ${c.way.padEnd(5)} ${String(c.users).padStart(3)} users for ${Math.round(c.durationMs / 1000)} s:`;
  const untried = c.quality && c.users > 1 ? ` (${c.users - 1} users were not tried)` : '';
  const verdict = c.confirmed ? 'confirmed' : `not confirmed: ${c.why.join('; ')}${untried}`;
  if (!c.quality) return `${head} ${verdict}`;
  const cpu = `CPU mean ${c.cpuMeanPct.toFixed(1)}%, p95 ${c.cpuP95Pct.toFixed(1)}%, last ${Math.round(Math.min(60_000, c.durationMs) / 1000)} s ${c.cpuLastMinuteMeanPct.toFixed(1)}% of the machine (machine ${c.machinePct.toFixed(0)}%, load ${c.loadAverage.toFixed(1)})`;
  const kinds = Object.entries(c.byKindPct ?? {}).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
  return `${head} ${cpu}, PSS peak ${c.pssPeakMb.toFixed(0)} MB (${(c.pssPeakMb / c.users).toFixed(0)}/user); ${qualityText(c.quality)}\n      by process (medians): ${kinds}\n      → ${verdict}`;
}

/** Runs the confirms one after another, printing each as it ends. */
export async function runConfirms(targets: readonly ConfirmTarget[], sized: (name: WorkloadName) => Workload, ctx: ConfirmContext): Promise<Confirm[]> {
  const out: Confirm[] = [];
  for (const target of targets) {
    const c = await runConfirm(target, sized(target.workload), ctx);
    out.push(c);
    console.log(confirmText(c));
  }
  return out;
}
