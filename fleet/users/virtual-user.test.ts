import { describe, expect, it } from 'vitest';
import type { WaddleClient } from '../../clients/waddle-client.ts';
import { defineJourney } from '../../journeys/define-journey.ts';
import type { Journey, JourneyContext } from '../../journeys/types.ts';
import type { RunEvent, Sample } from '../../metrics/types.ts';
import type { VuSlot } from './scheduler.ts';
import { classifyError, runVirtualUser, StepTimeoutError, VuAbortedError, type VirtualUserOptions } from './virtual-user.ts';

// A client with nothing behind it: these tests drive only ctx.step/think; journeys get the real thing.
const stubClient = (username: string): WaddleClient => ({ username }) as unknown as WaddleClient;

const slot: VuSlot = { index: 7, journey: 'probe', indexInJourney: 7, driver: 'browser', params: {}, phase: 'p', phaseIndex: 0, startAtMs: 0, stopAtMs: 1000 };

function harness(journey: Journey, overrides: Partial<VirtualUserOptions> & { stopAfterIterations?: number } = {}) {
  const { stopAfterIterations = 1, ...options } = overrides;
  const samples: Omit<Sample, 'timeMs'>[] = [];
  const events: RunEvent[] = [];
  const stop = new AbortController();
  const abort = new AbortController();
  let clientsCreated = 0;
  let clientsClosed = 0;
  const recorder = {
    record: (metric: string, value: number, tags: Record<string, string> = {}) => {
      samples.push({ metric, value, tags });
      // one iteration per test unless a test says otherwise
      if (metric === 'journey.errors' && samples.filter((x) => x.metric === metric).length >= stopAfterIterations) stop.abort();
    },
  };
  const run = runVirtualUser({
    slot,
    journey,
    createClient: async () => {
      clientsCreated++;
      return { client: stubClient(`user${clientsCreated}`), close: async () => void clientsClosed++ };
    },
    recorder,
    onEvent: (e) => events.push(e),
    stopSignal: stop.signal,
    abortSignal: abort.signal,
    runSeed: 1,
    thinkTimeScale: 0,
    driver: { name: 'fake', kind: 'protocol', capabilities: [] },
    target: 'http://127.0.0.1:1',
    ...options,
  });
  const values = (metric: string, tags: Record<string, string> = {}) =>
    samples.filter((s) => s.metric === metric && Object.entries(tags).every(([k, v]) => s.tags[k] === v)).map((s) => s.value);
  return { run, samples, events, stop, abort, values, created: () => clientsCreated, closed: () => clientsClosed };
}

const journeyOf = (run: (ctx: JourneyContext) => Promise<void>) => defineJourney({ name: 'probe', run });

describe('classifyError', () => {
  it.each([
    [new StepTimeoutError('x'), 'timeout'],
    [Object.assign(new Error('locator.click: Timeout 30000ms exceeded.'), { name: 'TimeoutError' }), 'timeout'],
    [new Error('page.evaluate: Target page, context or browser has been closed'), 'browser_closed'],
    [new Error('Page crashed'), 'page_crash'],
    [Object.assign(new Error('upload failed'), { status: 503 }), 'target_error'],
    [new Error('server sent an error frame: overloaded'), 'target_error'],
    [new VuAbortedError('stop'), 'aborted'],
    [new Error('page.goto: net::ERR_CONNECTION_REFUSED at http://127.0.0.1:18080/'), 'network'],
    [new Error('fetch failed: connect ECONNREFUSED 127.0.0.1:8080'), 'network'],
    [new Error('expected 3 messages, saw 2'), 'assertion'],
    ['a string', 'assertion'],
  ])('%s → %s', (error, reason) => expect(classifyError(error)).toBe(reason));
});

describe('runVirtualUser', () => {
  it('times steps with tags, records the journey and user metrics, and closes its session', async () => {
    const h = harness(
      journeyOf(async (ctx) => {
        await ctx.step('a', () => new Promise((r) => setTimeout(r, 20)));
        const value = await ctx.step('b', async () => 42);
        ctx.metrics.record('chat.messages_sent', value ?? 0);
      }),
    );
    const outcome = await h.run;
    expect(outcome).toMatchObject({ index: 7, outcome: 'completed', iterations: { started: 1, completed: 1, failed: 0, interrupted: 0 } });
    expect(h.values('step.duration_ms', { journey: 'probe', step: 'a' })[0]).toBeGreaterThanOrEqual(19);
    expect(h.values('step.errors', { step: 'a' })).toEqual([0]);
    expect(h.values('step.errors', { step: 'b' })).toEqual([0]);
    expect(h.values('chat.messages_sent', { journey: 'probe' })).toEqual([42]);
    expect(h.values('journey.errors')).toEqual([0]);
    expect(h.values('journey.duration_ms')[0]).toBeGreaterThanOrEqual(19);
    expect(h.values('users.started')).toEqual([1]);
    expect(h.values('users.active', { journey: 'probe' })).toEqual([1, 0]);
    expect(h.closed()).toBe(1);
    expect(h.events.map((e) => e.type)).toEqual(['user_start', 'user_end']);
  });

  it('goes on after a non-critical failure; a critical one fails the iteration and the next gets a fresh session', async () => {
    let iteration = 0;
    const reached: string[] = [];
    const h = harness(
      journeyOf(async (ctx) => {
        iteration++;
        await ctx.step('optional', async () => { throw new Error('not there'); }, { critical: false });
        reached.push(`after-optional-${iteration}`);
        if (iteration === 1) await ctx.step('must', async () => { throw new Error('server said no'); });
        reached.push(`end-${iteration}`);
      }),
      { stopAfterIterations: 2 },
    );
    const outcome = await h.run;
    expect(outcome).toMatchObject({ outcome: 'completed', iterations: { started: 2, completed: 1, failed: 1, interrupted: 0 } });
    expect(reached).toEqual(['after-optional-1', 'after-optional-2', 'end-2']);
    expect(h.values('journey.errors')).toEqual([1, 0]);
    expect(h.values('step.errors', { step: 'optional' })).toEqual([1, 1]);
    expect(h.values('step.errors', { step: 'must' })).toEqual([1]);
    expect(h.events.find((e) => e.type === 'journey_error')).toMatchObject({ reason: 'assertion', tags: { journey: 'probe', step: 'must' } });
    expect(h.created()).toBe(2);
    expect(h.closed()).toBe(2);
  });
});

describe('runVirtualUser: timeouts, a dead browser, abort and stop', () => {
  it('fails a step that exceeds its timeout with reason timeout', async () => {
    const h = harness(journeyOf(async (ctx) => void (await ctx.step('slow', () => new Promise((r) => setTimeout(r, 1000)), { timeoutMs: 30 }))));
    const outcome = await h.run;
    expect(outcome.iterations).toEqual({ started: 1, completed: 0, failed: 1, interrupted: 0 });
    const stepError = h.events.find((e) => e.type === 'step_error');
    expect(stepError).toMatchObject({ reason: 'timeout', tags: { journey: 'probe', step: 'slow' } });
    expect(h.events.find((e) => e.type === 'journey_error')).toMatchObject({ reason: 'timeout' });
    expect(h.values('step.duration_ms', { step: 'slow' })).toEqual([]);
    expect(h.values('step.failed_duration_ms', { step: 'slow', reason: 'timeout' })[0]).toBeLessThan(200);
  });

  it('ends the VU as failed when the browser is gone, even from a non-critical step', async () => {
    const h = harness(
      journeyOf(async (ctx) => {
        await ctx.step('look', async () => { throw new Error('page.evaluate: Target page, context or browser has been closed'); }, { critical: false });
      }),
    );
    const outcome = await h.run;
    expect(outcome).toMatchObject({ outcome: 'failed', reason: 'browser_closed', iterations: { started: 1, failed: 1 } });
    expect(h.created()).toBe(1);
  });

  it('interrupts on abort: the step rejects at once, no error sample, the iteration counts as interrupted', async () => {
    const h = harness(journeyOf(async (ctx) => void (await ctx.step('hang', () => new Promise(() => {})))));
    setTimeout(() => h.abort.abort(), 30);
    const startedMs = performance.now();
    const outcome = await h.run;
    expect(performance.now() - startedMs).toBeLessThan(500);
    expect(outcome).toMatchObject({ outcome: 'interrupted', reason: 'aborted', iterations: { started: 1, completed: 0, failed: 0, interrupted: 1 } });
    expect(h.values('step.errors')).toEqual([]);
    expect(h.values('journey.errors')).toEqual([]);
    expect(h.events.find((e) => e.type === 'step_error')?.reason).toBe('aborted');
    expect(h.closed()).toBe(1);
  });

  it('think wakes at once when asked to stop, and the iteration still completes', async () => {
    const h = harness(
      journeyOf(async (ctx) => {
        await ctx.think(10_000);
        await ctx.step('wrap_up', async () => true);
      }),
      { thinkTimeScale: 1 },
    );
    setTimeout(() => h.stop.abort(), 30);
    const startedMs = performance.now();
    const outcome = await h.run;
    expect(performance.now() - startedMs).toBeLessThan(500);
    expect(outcome).toMatchObject({ outcome: 'completed', iterations: { started: 1, completed: 1 } });
    expect(h.values('step.errors', { step: 'wrap_up' })).toEqual([0]);
  });
});

describe('runVirtualUser: sessions and what the journey is given', () => {
  it('fails the VU when no session can be opened, with a classified event', async () => {
    const h = harness(journeyOf(async () => {}), {
      createClient: async () => { throw new Error('browserContext.newPage: Browser has been closed'); },
    });
    const outcome = await h.run;
    expect(outcome).toMatchObject({ outcome: 'failed', reason: 'browser_closed', iterations: { started: 0 } });
    expect(h.events.find((e) => e.type === 'journey_error')?.message).toMatch(/vu-0007 probe: could not open a session/);
    expect(h.values('users.active')).toEqual([1, 0]);
  });

  it('gives the journey its merged params, seeded profile and user info', async () => {
    let seen: JourneyContext | undefined;
    const journey = defineJourney<{ a: number; nested: { x: number; y: number } }>({
      name: 'probe',
      defaults: { a: 1, nested: { x: 1, y: 2 } },
      run: async (ctx) => void (seen = ctx as unknown as JourneyContext),
    });
    const h = harness(journey as unknown as Journey, { slot: { ...slot, params: { nested: { y: 5 } } } });
    await h.run;
    expect(seen?.params).toEqual({ a: 1, nested: { x: 1, y: 5 } });
    expect(seen?.user).toEqual({ index: 7, indexInJourney: 7, label: 'vu-0007', username: 'user1' });
    let profileAgain: unknown;
    await harness(journeyOf(async (ctx) => void (profileAgain = ctx.profile))).run;
    expect(profileAgain).toEqual(seen?.profile);
  });
});
