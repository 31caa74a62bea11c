// Judges a recorded run's starvation again from its samples.ndjson (the generator.* gauges the
// monitor wrote every 2 s) with today's rule 2 (fleet/monitor/saturation.ts), and prints the share
// over each 10 s window of load: how far a run was from the limit, and runs recorded before the
// rule changed, judged as they would be now.
//   npm run bench:starvation -- <run folder> [<run folder> ...]
// Runs recorded before generator.demand_cores existed get it rebuilt from CPU and wait share
// ((CPU × cores) / (1 − wait share)), and say so. Start-up samples are the first startupMs of the
// run (summary.json): the live judge knows them exactly, this replay approximates.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { cpuStarvedPercent, starvedCores } from '../fleet/monitor/run-queue-wait.ts';
import { defaultSaturationLimits, percentile, SaturationJudge, type LoadSample } from '../fleet/monitor/saturation.ts';

type Tick = Partial<Record<string, number>> & { timeMs: number };

function ticksOf(samplesText: string): Tick[] {
  const ticks: Tick[] = [];
  for (const line of samplesText.split('\n')) {
    if (!line.startsWith('{')) continue;
    const s = JSON.parse(line) as { metric: string; value: number; timeMs: number };
    if (!s.metric.startsWith('generator.')) continue;
    if (s.metric === 'generator.cpu_pct') ticks.push({ timeMs: s.timeMs }); // the first gauge of a tick
    const tick = ticks.at(-1);
    if (tick) tick[s.metric.slice('generator.'.length)] = s.value;
  }
  return ticks;
}

function rejudge(dir: string, cores: number): string {
  const ticks = ticksOf(readFileSync(join(dir, 'samples.ndjson'), 'utf8'));
  const startupMs = (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { generator?: { startupMs?: number } }).generator?.startupMs ?? 0;
  const judge = new SaturationJudge(defaultSaturationLimits);
  const window: LoadSample[] = [];
  const shares: number[] = [];
  let rebuilt = false;
  ticks.forEach((t, i) => {
    const wallMs = i > 0 ? t.timeMs - ticks[i - 1]!.timeMs : 2000;
    const gen = t.cpu_pct ?? NaN;
    const waitShare = (t.cpu_wait_pct ?? NaN) / 100;
    rebuilt ||= t.demand_cores === undefined;
    const demand = t.demand_cores ?? (gen / 100) * cores / (1 - waitShare);
    const starved = starvedCores({ waitNs: demand * waitShare * wallMs * 1e6, wallMs, cores, machineCpuPct: t.system_cpu_pct ?? NaN, generatorCpuPct: gen });
    const sample: LoadSample = { wallMs, generatorCpuPct: gen, cpuWaitPct: waitShare * 100, demandCores: demand, starvedCores: starved, cpuStarvedPct: cpuStarvedPercent(starved, demand), machineCpuPct: t.system_cpu_pct ?? NaN, eventLoopP99Ms: 0, startingUp: t.timeMs - ticks[0]!.timeMs < startupMs };
    judge.add(sample);
    if (sample.startingUp || !Number.isFinite(starved) || !Number.isFinite(demand)) return;
    window.push(sample);
    const covered = () => window.reduce((ms, s) => ms + s.wallMs, 0);
    while (window.length > 1 && covered() - window[0]!.wallMs >= defaultSaturationLimits.windowMs) window.shift();
    if (covered() >= defaultSaturationLimits.windowMs) shares.push(cpuStarvedPercent(window.reduce((a, s) => a + s.starvedCores * s.wallMs, 0), window.reduce((a, s) => a + s.demandCores * s.wallMs, 0)));
  });
  const limit = defaultSaturationLimits.cpuStarvedPercent;
  const r = Math.round;
  const over = shares.filter((v) => v > limit).length;
  return `${dir}\n  starved share over 10 s windows of load: min ${r(Math.min(...shares))}% · median ${r(percentile(shares, 50))}% · max ${r(Math.max(...shares))}% · ${over} of ${shares.length} over the ${limit}% limit → ${judge.findings.some((f) => f.reason === 'generator_cpu_starved') ? 'starved (INCONCLUSIVE)' : 'not starved'}` +
    (rebuilt ? '\n  (cores wanted rebuilt from CPU and wait share: recorded before generator.demand_cores)' : '');
}

const dirs = process.argv.slice(2);
if (!dirs.length) {
  console.error('usage: npm run bench:starvation -- <run folder> [<run folder> ...]');
  process.exit(2);
}
for (const dir of dirs) console.log(rejudge(dir, os.availableParallelism()));
