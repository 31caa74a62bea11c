import { describe, expect, it } from 'vitest';
import { resolvePlan } from '../../plans/resolve.ts';
import type { Plan } from '../../plans/schema.ts';
import { buildFullSchedule, buildSchedule, peakConcurrency, runSchedule, type VuSlot } from './scheduler.ts';
import type { VuOutcome } from './virtual-user.ts';

const slot = (index: number, startAtMs: number, stopAtMs: number, journey = 'chatMessaging'): VuSlot => ({
  index,
  journey,
  indexInJourney: index,
  driver: 'browser',
  params: {},
  phase: 'p',
  phaseIndex: 0,
  startAtMs,
  stopAtMs,
});

const outcome = (s: VuSlot, kind: VuOutcome['outcome'], iterations = { started: 1, completed: 1, failed: 0, interrupted: 0 }): VuOutcome => ({
  index: s.index,
  journey: s.journey,
  outcome: kind,
  iterations,
});

/** A VU that runs until asked to stop (then finishes after `finishMs`), and ends at once when aborted. */
function politeVu(finishMs: number) {
  return (s: VuSlot, stop: AbortSignal, abort: AbortSignal): Promise<VuOutcome> =>
    new Promise((resolve) => {
      stop.addEventListener('abort', () => setTimeout(() => resolve(outcome(s, 'completed')), finishMs), { once: true });
      abort.addEventListener('abort', () => resolve(outcome(s, 'interrupted', { started: 1, completed: 0, failed: 0, interrupted: 1 })), { once: true });
    });
}

describe('buildSchedule', () => {
  const plan: Plan = {
    name: 'shape',
    phases: [
      { name: 'up', targetUsers: 4, rampUp: '400ms', duration: '1s', scenarios: [{ journey: 'chatMessaging', users: 4 }] },
      { name: 'down', targetUsers: 2, rampUp: '200ms', duration: '1s', scenarios: [{ journey: 'chatMessaging', users: 1 }, { journey: 'voiceCall', users: 1 }] },
    ],
  };

  it('spreads ramp-up starts evenly and stops the newest VUs first on ramp-down', () => {
    const slots = buildFullSchedule(resolvePlan(plan));
    expect(slots.map((s) => [s.index, s.journey, s.phase, s.startAtMs, s.stopAtMs])).toEqual([
      [0, 'chatMessaging', 'up', 0, 2600],
      [1, 'chatMessaging', 'up', 100, 1533], // 3 leave over 200 ms as starts arrive: newest (3) at 1400, then 2 at 1466, then 1 at 1533
      [2, 'chatMessaging', 'up', 200, 1466],
      [3, 'chatMessaging', 'up', 300, 1400],
      [4, 'voiceCall', 'down', 1400, 2600],
    ]);
    // never more than either phase holds: the voiceCall user starts as the first chatter leaves (was 5)
    expect(peakConcurrency(slots)).toBe(4);
  });

  it('keeps global indices when sharded', () => {
    const resolved = resolvePlan(plan, { shard: { index: 2, count: 2 } });
    expect(buildSchedule(resolved).map((s) => s.index)).toEqual([1, 3]);
  });
});

describe('runSchedule', () => {
  it('starts each VU at its time, records lag, and stops it at its time', async () => {
    const slots = [slot(0, 0, 120), slot(1, 40, 160), slot(2, 80, 200)];
    const started: number[] = [];
    const stoppedAt: number[] = [];
    const lags: number[] = [];
    const origin = performance.now();
    const result = await runSchedule({
      slots,
      startVu: (s, stop, abort) => {
        started.push(performance.now() - origin);
        stop.addEventListener('abort', () => stoppedAt.push(performance.now() - origin), { once: true });
        return politeVu(0)(s, stop, abort);
      },
      gracefulStopMs: 1000,
      onLag: (_s, lagMs) => lags.push(lagMs),
    });
    for (const [i, s] of slots.entries()) {
      expect(started[i]).toBeGreaterThanOrEqual(s.startAtMs); // never early, even by a timer's rounding
      expect(started[i]).toBeLessThan(s.startAtMs + 40);
      expect(stoppedAt[i]).toBeGreaterThanOrEqual(s.stopAtMs);
      expect(stoppedAt[i]).toBeLessThan(s.stopAtMs + 40);
    }
    expect(lags).toHaveLength(3);
    for (const lag of lags) expect(lag).toBeLessThan(40);
    expect(result.users).toEqual({ started: 3, completed: 3, failed: 0, interrupted: 0 });
    expect(result.journeys.chatMessaging).toEqual({ started: 3, completed: 3, failed: 0, interrupted: 0 });
    expect(result.lagMs.max).toBe(Math.max(...lags));
  });

  it('aborts a VU that does not finish within gracefulStop, counting it interrupted', async () => {
    let stopAt = 0;
    let abortAt = 0;
    const result = await runSchedule({
      slots: [slot(0, 0, 30), slot(1, 0, 30)],
      gracefulStopMs: 80,
      startVu: (s, stop, abort) => {
        stop.addEventListener('abort', () => (stopAt = performance.now()), { once: true });
        abort.addEventListener('abort', () => (abortAt = performance.now()), { once: true });
        // VU 0 finishes quickly when asked; VU 1 would need 10 s
        return politeVu(s.index === 0 ? 5 : 10_000)(s, stop, abort);
      },
    });
    expect(result.users).toEqual({ started: 2, completed: 1, failed: 0, interrupted: 1 });
    expect(abortAt - stopAt).toBeGreaterThanOrEqual(75);
    expect(abortAt - stopAt).toBeLessThan(150);
    const total = result.journeys.chatMessaging!;
    expect(total.started).toBe(total.completed + total.failed + total.interrupted);
  });
});

describe('runSchedule: stopping early and arrival limits', () => {
  it('stops starting VUs when the run signal aborts, and grants running ones interruptGraceMs', async () => {
    const run = new AbortController();
    setTimeout(() => run.abort(), 60);
    const startedAt = performance.now();
    const result = await runSchedule({
      slots: [slot(0, 0, 10_000), slot(1, 20, 10_000), slot(2, 500, 10_000), slot(3, 900, 10_000)],
      signal: run.signal,
      gracefulStopMs: 10_000,
      interruptGraceMs: 50,
      startVu: politeVu(10_000),
    });
    const elapsedMs = performance.now() - startedAt;
    expect(result.users).toEqual({ started: 2, completed: 0, failed: 0, interrupted: 2 });
    expect(result.notStarted).toBe(2);
    expect(result.stoppedEarly).toBe(true);
    expect(elapsedMs).toBeGreaterThanOrEqual(100);
    expect(elapsedMs).toBeLessThan(400);
  });

  it('respects maxArrivalsPerSecond and reports the delay as lag', async () => {
    const starts: number[] = [];
    const result = await runSchedule({
      slots: [0, 1, 2, 3, 4].map((i) => slot(i, 0, 150)),
      maxArrivalsPerSecond: 50,
      startVu: (s, stop, abort) => {
        starts.push(performance.now());
        return politeVu(0)(s, stop, abort);
      },
    });
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBeGreaterThanOrEqual(18);
    expect(result.lagMs.max).toBeGreaterThanOrEqual(75);
    expect(result.users.started).toBe(5);
  });
});

describe('runSchedule: misbehaving VUs and phases', () => {
  it('gives up on a VU that ignores its abort, and counts a throwing startVu as failed', async () => {
    const result = await runSchedule({
      slots: [slot(0, 0, 10), slot(1, 0, 10)],
      gracefulStopMs: 10,
      abandonAfterMs: 30,
      startVu: (s) => (s.index === 0 ? new Promise<VuOutcome>(() => {}) : Promise.reject(new Error('boom'))),
    });
    expect(result.users).toEqual({ started: 2, completed: 0, failed: 1, interrupted: 1 });
    expect(result.outcomes.find((o) => o.index === 1)?.message).toMatch(/startVu threw .*boom/);
  });

  it('announces every phase at its start, ramp-down phases included', async () => {
    const resolved = resolvePlan({
      name: 'phases',
      phases: [
        { name: 'a', targetUsers: 2, rampUp: '20ms', duration: '30ms', scenarios: [{ journey: 'chatMessaging', users: 2 }] },
        { name: 'b', targetUsers: 0, rampUp: '20ms', duration: '30ms', scenarios: [{ journey: 'chatMessaging', users: 0 }] },
      ],
    });
    const seen: [string, number][] = [];
    await runSchedule({
      slots: buildSchedule(resolved),
      phases: resolved.phases,
      startVu: politeVu(0),
      onPhase: (phase, atMs) => seen.push([phase.name, atMs]),
    });
    expect(seen.map(([name]) => name)).toEqual(['a', 'b']);
    expect(seen[1]![1]).toBeGreaterThanOrEqual(49);
  });
});
