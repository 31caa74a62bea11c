import { describe, expect, it } from 'vitest';
import { confirmText, confirmTimeline, judgeConfirm, parseConfirmDuration, parseConfirmOnly, type Confirm } from './confirm.ts';
import { capacity, type Quality } from './figures.ts';
import { defaultTimeline } from './workloads.ts';

const holds: Quality = { ready: 19, failures: 0, sentShare: 0.95, deliveryP95Ms: 40, observerP95Ms: 38, problems: [] };
const memLimitMb = 6000;

describe('judgeConfirm', () => {
  it('confirms a mean within the limit even when some windows go above it (p95 reported, not judged)', () => {
    const v = judgeConfirm({ cpuWindowsPct: [70, 75, 78, 85, 76, 74], pssPeakMb: 2000, quality: holds }, 80, memLimitMb, 5000);
    expect(v.confirmed).toBe(true);
    expect(v.why).toEqual([]);
    expect(v.cpuMeanPct).toBeCloseTo(76.33, 2);
    expect(v.cpuP95Pct).toBe(85);
  });

  it('does not confirm a CPU mean above the limit, and says by how much', () => {
    const v = judgeConfirm({ cpuWindowsPct: [78, 82, 84, 86], pssPeakMb: 2000, quality: holds }, 80, memLimitMb, 5000);
    expect(v.confirmed).toBe(false);
    expect(v.why).toEqual(['CPU mean 82.5% of the machine > 80%']);
  });

  it('does not confirm when the PSS outgrows memory or the quality fails, whatever the CPU', () => {
    const problems = ['sent 60% of the planned messages', 'delivery p95 900 ms vs the observer\'s 40 ms'];
    const v = judgeConfirm({ cpuWindowsPct: [40, 41], pssPeakMb: 7000, quality: { ...holds, problems } }, 80, memLimitMb, 5000);
    expect(v.confirmed).toBe(false);
    expect(v.why).toEqual(['PSS 7000 MB > 6000 MB (80% of memory)', ...problems]);
  });

  it('does not judge a run with fewer than two windows, nor an empty one', () => {
    expect(judgeConfirm({ cpuWindowsPct: [10], pssPeakMb: 100, quality: holds }, 80, memLimitMb, 5000).why).toEqual(['1 CPU windows (too short to judge)']);
    const empty = judgeConfirm({ cpuWindowsPct: [], pssPeakMb: 100, quality: holds }, 80, memLimitMb, 5000);
    expect(empty.confirmed).toBe(false);
    expect(empty.why[0]).toMatch(/0 CPU windows/);
  });

  it('takes the last minute as the last 60 s of windows (a growing cost shows there)', () => {
    const rising = Array.from({ length: 24 }, (_, i) => (i < 12 ? 50 : 90));
    const v = judgeConfirm({ cpuWindowsPct: rising, pssPeakMb: 100, quality: holds }, 80, memLimitMb, 5000);
    expect(v.cpuMeanPct).toBe(70);
    expect(v.cpuLastMinuteMeanPct).toBe(90);
    expect(v.confirmed).toBe(true);
  });
});

describe('choosing N and the confirm timeline', () => {
  it('N is the most users a line through the two sizes keeps within the CPU limit', () => {
    // 10 + 3.5 per user: 5 users 27.5%, 10 users 45%; (80 − 10) / 3.5 = 20
    const cap = capacity([{ users: 5, cpuPct: 27.5, pssMb: 600 }, { users: 10, cpuPct: 45, pssMb: 1100 }], 80, memLimitMb);
    expect(cap).toMatchObject({ users: 20, boundBy: 'cpu' });
    expect(cap.cpuPerUser).toBeCloseTo(3.5, 6);
  });

  it('N counts whole calls when users come in rooms (a seventh 1:1 caller would be alone)', () => {
    // 10 + 10 per user: (80 − 10) / 10 = 7 users, 6 in rooms of 2
    const points = [{ users: 2, cpuPct: 30, pssMb: 600 }, { users: 4, cpuPct: 50, pssMb: 800 }];
    expect(capacity(points, 80, memLimitMb).users).toBe(7);
    expect(capacity(points, 80, memLimitMb, 2).users).toBe(6);
  });

  it('N is bound by memory when PSS runs out first', () => {
    const cap = capacity([{ users: 10, cpuPct: 2, pssMb: 1000 }, { users: 20, cpuPct: 4, pssMb: 2000 }], 80, memLimitMb);
    expect(cap).toMatchObject({ users: 60, boundBy: 'memory' });
  });

  it('starts the N users at the larger size\'s rate, never faster than the sizes\' ramp', () => {
    expect(confirmTimeline(defaultTimeline, 10, 24, 300_000)).toEqual({ ...defaultTimeline, rampMs: 24_000, sampleMs: 300_000 });
    expect(confirmTimeline(defaultTimeline, 10, 3, 40_000)).toEqual({ ...defaultTimeline, rampMs: 10_000, sampleMs: 40_000 });
  });
});

describe('confirm options', () => {
  const ways = new Set(['fleet', 'usual', 'fleetgpu']);

  it('--confirm-only names WAY:WORKLOAD=USERS, comma-separated', () => {
    expect(parseConfirmOnly('fleet:chat=19,usual:video=13', ways)).toEqual([{ way: 'fleet', workload: 'chat', users: 19 }, { way: 'usual', workload: 'video', users: 13 }]);
  });

  it.each([['fleet:chat'], ['fleet=19'], ['nobody:chat=3'], ['fleet:dance=3'], ['fleet:chat=0']])('--confirm-only refuses %j', (spec) => {
    expect(() => parseConfirmOnly(spec, ways)).toThrow(/--confirm-only/);
  });

  it('--confirm-duration takes a unit or bare seconds, 5 minutes when not given, at least 10 s', () => {
    expect(parseConfirmDuration(undefined)).toBe(300_000);
    expect(parseConfirmDuration('5m')).toBe(300_000);
    expect(parseConfirmDuration('40s')).toBe(40_000);
    expect(parseConfirmDuration('90')).toBe(90_000);
    expect(() => parseConfirmDuration('5s')).toThrow(/at least 10s/);
    expect(() => parseConfirmDuration('five')).toThrow(/--confirm-duration/);
  });
});

describe('confirmText', () => {
  const c: Confirm = { way: 'fleet', workload: 'chat', users: 19, durationMs: 300_000, cpuMeanPct: 82.5, cpuP95Pct: 91, cpuLastMinuteMeanPct: 84, machinePct: 95, pssPeakMb: 1900, loadAverage: 2.4, quality: holds, confirmed: false, why: ['CPU mean 82.5% of the machine > 80%'] };

  it('says why N was not confirmed and that N−1 was not tried', () => {
    expect(confirmText(c)).toMatch(/CPU mean 82\.5%, p95 91\.0%, last 60 s 84\.0%.*PSS peak 1900 MB \(100\/user\)/);
    expect(confirmText(c)).toMatch(/→ not confirmed: CPU mean 82\.5% of the machine > 80% \(18 users were not tried\)$/);
  });

  it('says confirmed when it was, and why not when nothing ran', () => {
    expect(confirmText({ ...c, cpuMeanPct: 70, confirmed: true, why: [] })).toMatch(/→ confirmed$/);
    const { quality: _none, ...noRun } = c;
    expect(confirmText({ ...noRun, users: 0, why: ['the two sizes predict 0 users, nothing to confirm'] })).toMatch(/0 users for 300 s: not confirmed: the two sizes predict 0 users/);
  });
});
