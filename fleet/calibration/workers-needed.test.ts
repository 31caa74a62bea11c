import { describe, expect, it } from 'vitest';
import { planCatalog } from '../../plans/catalog.ts';
import { resolvePlan } from '../../plans/resolve.ts';
import { buildFullSchedule } from '../../plans/schedule.ts';
import { shippedPlans } from '../../plans/index.ts';
import type { Calibration } from './calibration-file.ts';
import { fitLine } from './measure-kind.ts';
import { describeWorkers, protocolMediaCost, workersNeeded } from './workers-needed.ts';

const catalog = planCatalog({});
const slotsOf = (scale: number) => buildFullSchedule(resolvePlan(shippedPlans.stress!, { scale, seed: 1 }), catalog.journey);

const kind = (journey: string, driverKind: 'browser' | 'protocol', cpuPctPerUser: number, pssMbPerUser: number) => ({
  journey, driverKind, sizes: [1, 2], cpuPct: [0, 0], pssMb: [0, 0], cpuPctPerUser, pssMbPerUser, fixedCpuPct: 5, fixedPssMb: 200, failures: 0,
});
const calibration: Calibration = {
  version: 1,
  createdAt: '2026-11-30T06:00:00.000Z',
  machine: { cores: 2, memoryMb: 24_000, cpuModel: 'test', chromium: 'Chromium 156', node: 'v20' },
  loadAverage: 1,
  kinds: ['voiceCall', 'videoCall', 'screenShare', 'chatMessaging', 'fileUpload'].flatMap((j) => [kind(j, 'browser', 10, 150), kind(j, 'protocol', 0.02, 0.05)]),
};

describe('workersNeeded', () => {
  it('scales with the plan: ten times the protocol users, their cores and more workers', () => {
    const small = workersNeeded({ slots: slotsOf(0.1), catalog, calibration, browserUsersPerWorker: 32 });
    const large = workersNeeded({ slots: slotsOf(1), catalog, calibration, browserUsersPerWorker: 32 });
    expect(large.peakCores).toBeGreaterThan(small.peakCores * 2.5);
    expect(large.workers).toBeGreaterThan(small.workers);
    // fixed cost 5% of 2 cores = 0.1 core per worker; each may use 80% of 2 cores
    expect(large.workers).toBe(Math.ceil(large.peakCores / (2 * 0.8 - 0.1)));
    // 10,000 protocol users at 0.02% of 2 cores each = 4 cores, plus 8-12 browser users at 0.2 core each
    expect(large.peakCores).toBeGreaterThan(4 + 8 * 0.2 - 0.01);
    expect(large.peakCores).toBeLessThan(4 + 12 * 0.2 + 0.01);
    // each worker stays within 80% of its 2 cores
    expect(large.perWorker.cores).toBeLessThanOrEqual(2 * 0.8 + 1e-9);
    expect(large.uncalibrated).toEqual([]);
  });

  it('adds the relay\'s cost of each impaired browser user (--network), and nothing for protocol users', () => {
    const on = (network?: string) => buildFullSchedule(resolvePlan(shippedPlans.stress!, { scale: 0.1, seed: 1, ...(network ? { network } : {}) }), catalog.journey);
    const plain = workersNeeded({ slots: on(), catalog, calibration, browserUsersPerWorker: 32 });
    const resolved = resolvePlan(shippedPlans.stress!, { scale: 0.1, seed: 1, network: '3g' });
    const impaired = workersNeeded({ slots: on('3g'), catalog, calibration, browserUsersPerWorker: 32, networks: resolved.networks });
    const browsers = on('3g').filter((s) => s.driver === 'browser' && s.startAtMs === 0).length;
    expect(impaired.peakCores).toBeGreaterThan(plain.peakCores);
    expect(impaired.peakCores - plain.peakCores).toBeLessThanOrEqual(0.012 * Math.max(12, browsers) + 1e-9); // 1.2% of a core per browser user at most
  });

  it('prices with the calibration, not the defaults, and says which it used', () => {
    const calibrated = workersNeeded({ slots: slotsOf(1), catalog, calibration, browserUsersPerWorker: 32 });
    const byDefault = workersNeeded({ slots: slotsOf(1), catalog, browserUsersPerWorker: 32 });
    expect(calibrated.peakCores).not.toBeCloseTo(byDefault.peakCores, 2);
    expect(describeWorkers(calibrated, '/x/cal.json').join('\n')).toContain('from the calibration /x/cal.json (2026-11-30, 2 cores');
    expect(describeWorkers(byDefault, '/x/cal.json').join('\n')).toMatch(/default figures, not measured on this machine: .*run npx waddle-fleet calibrate/);
  });

  it('names what bounds the workers: browser contexts when a worker takes few browser users', () => {
    const e = workersNeeded({ slots: slotsOf(1), catalog, calibration, browserUsersPerWorker: 1 });
    expect(e.boundBy).toBe('browser contexts');
    expect(e.workers).toBeGreaterThanOrEqual(8);
  });

  it('names memory when users are heavy on memory and light on CPU', () => {
    const heavy: Calibration = { ...calibration, kinds: calibration.kinds.map((k) => ({ ...k, cpuPctPerUser: 0, pssMbPerUser: k.driverKind === 'protocol' ? 10 : 0 })) };
    const e = workersNeeded({ slots: slotsOf(1), catalog, calibration: heavy, browserUsersPerWorker: 32 });
    expect(e.boundBy).toBe('memory');
    // 10,000 × 10 MB over workers of 80% × 24,000 MB less 200 MB fixed
    expect(e.workers).toBe(Math.ceil((e.peakMemoryMb) / (24_000 * 0.8 - 200)));
  });

  it('prices protocolMedia users by the media benchmark, never by a plain protocol calibration', () => {
    const plan = { name: 'media', phases: [{ name: 'p', targetUsers: 1000, rampUp: '1s', duration: '1m', scenarios: [{ journey: 'videoCall', driver: 'protocolMedia', users: 1000 }] }] };
    const slots = buildFullSchedule(resolvePlan(plan as Parameters<typeof resolvePlan>[0], { seed: 1 }), catalog.journey);
    const e = workersNeeded({ slots, catalog, calibration, browserUsersPerWorker: 32 });
    // 1,000 video users at ~1.1% of a core each: ~11 cores, 8 workers of 2 × 80% less 0.1 fixed
    expect(e.peakCores).toBeCloseTo(1000 * protocolMediaCost.video.cores, 1);
    expect(e.workers).toBe(Math.ceil(e.peakCores / (2 * 0.8 - 0.1)));
    expect(e.uncalibrated).toEqual(['videoCall on protocolMedia (npm run bench:media-protocol figures; calibrate does not measure it)']);
  });
});

describe('fitLine', () => {
  it('splits a cost into fixed and per user', () => {
    expect(fitLine([2, 4], [30, 50])).toEqual({ perUser: 10, fixed: 10, flat: false });
  });
  it('puts everything per user with one size or a negative intercept (the safe side)', () => {
    expect(fitLine([4], [40])).toEqual({ perUser: 10, fixed: 0, flat: false });
    expect(fitLine([2, 4], [10, 40])).toEqual({ perUser: 10, fixed: 0, flat: false });
  });
  it('flags a cost that did not rise with the users', () => {
    expect(fitLine([20, 100], [1.5, 1.4])).toEqual({ perUser: 0, fixed: 1.5, flat: true });
  });
});
