// When a virtual user asks its session for failure evidence: at the moment a step fails, before
// the journey goes on and before a failed iteration closes the session; once per failure; never
// for an interruption; and a capture that hangs or throws never holds or fails the user.
import { describe, expect, it } from 'vitest';
import type { WaddleClient } from '../../clients/waddle-client.ts';
import { defineJourney } from '../../journeys/define-journey.ts';
import type { JourneyContext } from '../../journeys/types.ts';
import type { FailureInfo } from '../evidence/failure-evidence.ts';
import type { VuSlot } from './scheduler.ts';
import { runVirtualUser, type VirtualUserOptions } from './virtual-user.ts';

const slot: VuSlot = { index: 3, journey: 'probe', indexInJourney: 3, driver: 'browser', params: {}, phase: 'p', phaseIndex: 0, startAtMs: 0, stopAtMs: 1000 };

/** One iteration of `run`; `log` says in which order steps, captures and closes happened. */
function runOnce(run: (ctx: JourneyContext) => Promise<void>, capture: (f: FailureInfo) => Promise<void>, options: Partial<VirtualUserOptions> = {}) {
  const log: string[] = [];
  const captured: FailureInfo[] = [];
  const stop = new AbortController();
  const abort = new AbortController();
  const outcome = runVirtualUser({
    slot,
    journey: defineJourney({ name: 'probe', run: async (ctx) => (await run(ctx), stop.abort()) }),
    createClient: async () => ({
      client: { username: 'u' } as unknown as WaddleClient,
      captureFailure: async (f) => {
        log.push(`capture ${f.step ?? '(no step)'}`);
        captured.push(f);
        await capture(f);
      },
      close: async () => void log.push('close'),
    }),
    recorder: { record: (metric: string) => void (metric === 'journey.errors' && stop.abort()) },
    onEvent: () => {},
    stopSignal: stop.signal,
    abortSignal: abort.signal,
    runSeed: 1,
    thinkTimeScale: 0,
    driver: { name: 'browser', kind: 'browser', capabilities: [] },
    target: 'http://127.0.0.1:1',
    ...options,
  });
  return { outcome, log, captured, abort };
}

const fails = (message: string) => async (): Promise<never> => {
  throw new Error(message);
};

describe('failure evidence from a virtual user', () => {
  it('captures a failed non-critical step before the journey goes on, with what failed', async () => {
    const r = runOnce(async (ctx) => {
      await ctx.step('a', fails('no remote video'), { critical: false });
      await ctx.step('b', async () => void r.log.push('step b'));
    }, async () => {});
    await r.outcome;
    expect(r.log).toEqual(['capture a', 'step b', 'close']);
    expect(r.captured[0]).toMatchObject({ journey: 'probe', step: 'a', driver: 'browser', reason: 'assertion', vu: 3 });
    expect(r.captured[0]!.message).toContain('no remote video');
    expect(r.captured[0]!.atMs).toBeGreaterThan(Date.now() - 60_000);
  });

  it('captures a failed critical step once, before the failed iteration closes the session', async () => {
    const r = runOnce((ctx) => ctx.step('join', fails('refused')).then(() => {}), async () => {});
    await r.outcome;
    expect(r.log.slice(0, 2)).toEqual(['capture join', 'close']);
    expect(r.captured).toHaveLength(1);
  });

  it('captures a failure outside any step without a step name', async () => {
    const r = runOnce(fails('journey bug'), async () => {});
    await r.outcome;
    expect(r.log.slice(0, 2)).toEqual(['capture (no step)', 'close']);
    expect(r.captured[0]).not.toHaveProperty('step');
  });

  it('captures nothing when the user is aborted', async () => {
    const r = runOnce((ctx) => ctx.step('hold', () => new Promise(() => {})).then(() => {}), async () => {});
    setTimeout(() => r.abort.abort(), 50);
    expect((await r.outcome).outcome).toBe('interrupted');
    expect(r.captured).toEqual([]);
  });

  it('a capture that hangs is cut at evidenceTimeoutMs, and one that throws is ignored', async () => {
    const hung = runOnce(async (ctx) => {
      await ctx.step('a', fails('x'), { critical: false });
    }, () => new Promise(() => {}), { evidenceTimeoutMs: 100 });
    const startedMs = performance.now();
    expect((await hung.outcome).outcome).toBe('completed');
    expect(performance.now() - startedMs).toBeLessThan(2000);

    const throwing = runOnce(async (ctx) => {
      await ctx.step('a', fails('x'), { critical: false });
      await ctx.step('b', async () => void throwing.log.push('step b'));
    }, fails('disk full'));
    expect((await throwing.outcome).iterations).toMatchObject({ completed: 1, failed: 0 });
    expect(throwing.log).toContain('step b');
  });
});
