import { describe, expect, it } from 'vitest';
import { MetricsHub } from './hub.ts';
import { seriesKey } from './series.ts';
import { MemorySink } from './sinks/memory.ts';
import type { RecordableMetric, Sink, SinkStats } from './types.ts';

function clock(startMs = 1_700_000_000_000) {
  let t = startMs;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('MetricsHub.record validation', () => {
  it('counts and drops bad samples by reason, with one warning per distinct problem, and never throws', () => {
    const mem = new MemorySink();
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [mem] });
    const typo = 'chat.delivery' as RecordableMetric; // a caller without types (JavaScript, a cast)
    hub.record(typo, 5); // unknown (typo)
    hub.record(typo, 6);
    hub.record('chat.delivery_ms', 5, { user: 'u1' }); // tag not allowed
    hub.record('chat.delivery_ms', 5, { phase: 'x' }); // reserved
    hub.record('chat.delivery_ms', Number.NaN);
    hub.record('chat.delivery_ms', Number.POSITIVE_INFINITY);
    hub.record('step.duration_ms', -3, { journey: 'j', step: 's' });
    hub.record('step.duration_ms', 3, { journey: 'j', step: '' });
    hub.record('users.active', -1); // gauges may be negative-free but negative is not a duration: accepted
    hub.record('chat.delivery_ms', 12, { journey: 'chatMessaging' });
    expect(hub.rejected).toEqual({ unknown_metric: 2, tag_not_allowed: 2, bad_tag_value: 1, not_finite: 2, negative_value: 1, too_many_series: 0 });
    expect(hub.accepted).toBe(2);
    const warnings = mem.events.filter((e) => e.type === 'warning');
    expect(warnings).toHaveLength(6); // the repeated typo, and NaN then Infinity on one metric, warn once each
    expect(warnings[0]?.message).toMatch(/Did you mean "chat.delivery_ms"/);
    expect(warnings.some((w) => /monotonic clock/.test(w.message ?? ''))).toBe(true);
  });

  it('a tag set seen before takes the cached path with the same checks and the same series', () => {
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [], baseTags: { host: 'h' } });
    const tags = { journey: 'j', driver: 'protocol', step: 's' };
    hub.record('step.duration_ms', 3, tags);
    hub.record('step.duration_ms', 5, { step: 's', driver: 'protocol', journey: 'j' }); // another order: one series
    hub.record('step.duration_ms', -1, tags); // cached tags, bad value: still refused
    hub.record('step.duration_ms', Number.NaN, tags);
    hub.record('step.duration_ms', 4, { ...tags, journey: 1 as unknown as string }); // not a string: refused, never cached
    hub.record('step.duration_ms', 4, { ...tags, step: 'a\u0001step\u0002b' }); // a value that could fake a key: its own series
    hub.record('step.duration_ms', 7, { ...tags, user: 'u' }); // refused every time, not only the first
    hub.record('step.duration_ms', 7, { ...tags, user: 'u' });
    expect(hub.rejected).toMatchObject({ negative_value: 1, not_finite: 1, bad_tag_value: 1, tag_not_allowed: 2 });
    const totals = hub.totals();
    expect(totals).toHaveLength(2);
    const s = totals.find((t) => t.tags.step === 's');
    expect(s).toMatchObject({ count: 2, sum: 8, tags: { host: 'h', journey: 'j', driver: 'protocol', step: 's' } });
  });

  it('refuses new series past the cardinality guard', () => {
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [], maxSeriesPerMetric: 3 });
    for (let i = 0; i < 10; i++) hub.record('chat.send_ack_ms', 1, { journey: `j${i}` });
    expect(hub.rejected.too_many_series).toBe(7);
    expect(hub.totals()).toHaveLength(3);
  });
});

describe('MetricsHub intervals and totals', () => {
  it('the sum over intervals of counts equals the run count for every series (exact merge)', () => {
    const c = clock();
    const mem = new MemorySink();
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [mem], now: c.now });
    let seed = 3;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const journeys = ['chatMessaging', 'voiceCall', 'videoCall'];
    for (let interval = 0; interval < 7; interval++) {
      if (interval === 3) hub.setPhase('steady');
      for (let i = 0; i < 500; i++) {
        const journey = journeys[Math.floor(rand() * 3)] as string;
        hub.record('step.duration_ms', rand() * 2000, { journey, step: rand() < 0.5 ? 'send' : 'join' });
        hub.record('journey.errors', rand() < 0.1 ? 1 : 0, { journey });
        hub.record('chat.messages_sent', 1, { journey });
        hub.record('users.active', Math.floor(rand() * 20));
        c.advance(10);
      }
      hub.tick();
    }
    const totals = hub.totals();
    for (const t of totals) {
      const key = seriesKey(t.metric, t.tags);
      let count = 0;
      let sum = 0;
      let nonZero = 0;
      for (const snap of mem.intervals) {
        const s = snap.series.find((x) => seriesKey(x.metric, x.tags) === key);
        count += s?.count ?? 0;
        sum += s?.sum ?? 0;
        nonZero += s?.nonZero ?? 0;
      }
      expect(count, key).toBe(t.count);
      expect(sum).toBeCloseTo(t.sum, 6);
      if (t.kind === 'rate') expect(nonZero).toBe(t.nonZero);
    }
    expect(totals.reduce((a, t) => a + t.count, 0)).toBe(4 * 7 * 500);
    // intervals are contiguous and carry the phase
    for (let i = 1; i < mem.intervals.length; i++) expect(mem.intervals[i]?.startMs).toBe(mem.intervals[i - 1]?.endMs);
    expect(mem.intervals.map((s) => s.phase)).toContain('steady');
    expect(mem.intervals.filter((s) => s.phase === 'setup').length).toBe(3);
    const byMetric = hub.totalsByMetric();
    const steps = byMetric.find((m) => m.metric === 'step.duration_ms');
    expect(steps?.count).toBe(3500);
    expect(steps?.p95).toBeGreaterThan(1800);
    expect(byMetric.find((m) => m.metric === 'journey.errors')?.rate).toBeGreaterThan(0.05);
  });

  it('carries a gauge into intervals where nobody updated it, without touching run totals', () => {
    const c = clock();
    const mem = new MemorySink();
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [mem], now: c.now });
    hub.record('users.active', 5, { journey: 'voiceCall' });
    c.advance(1000);
    hub.tick();
    c.advance(1000);
    hub.tick(); // nobody joined or left
    hub.record('users.active', 3, { journey: 'voiceCall' });
    c.advance(1000);
    hub.tick();
    const levels = mem.intervals.map((i) => i.series.find((s) => s.metric === 'users.active'));
    expect(levels.map((l) => l?.last)).toEqual([5, 5, 3]);
    expect(levels.map((l) => l?.count)).toEqual([1, 0, 1]);
    const total = hub.totals().find((s) => s.metric === 'users.active');
    expect(total?.count).toBe(2);
    expect(total?.last).toBe(3);
  });
});

describe('MetricsHub sinks: batches, a failing sink, ticking and close', () => {
  it('batches raw samples instead of one sink call per sample', async () => {
    const mem = new MemorySink();
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [mem], sampleBatchSize: 100 });
    for (let i = 0; i < 950; i++) hub.record('chat.send_ack_ms', i);
    await new Promise((r) => setImmediate(r));
    expect(mem.samples.length).toBe(900);
    expect(mem.sampleBatches).toBe(9);
    hub.tick();
    expect(mem.samples.length).toBe(950);
    expect(mem.samples[0]).toMatchObject({ metric: 'chat.send_ack_ms', value: 0, tags: {} });
  });

  it('a sink that throws cannot break the others; its error is reported to them once', async () => {
    const good = new MemorySink('good');
    const bad: Sink = {
      name: 'bad',
      writeInterval: () => { throw new Error('disk on fire'); },
      writeEvent: () => { throw new Error('disk on fire'); },
      flush: async () => {},
      close: async () => { throw new Error('cannot close'); },
    };
    const c = clock(); // a still clock: close() has no partial interval left to write
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [bad, good], now: c.now });
    hub.record('chat.send_ack_ms', 5);
    hub.tick();
    hub.tick();
    hub.event({ timeMs: 1, type: 'run_start' });
    expect(good.intervals).toHaveLength(2);
    expect(good.events.filter((e) => e.type === 'sink_error')).toHaveLength(1);
    expect(good.events.some((e) => e.type === 'run_start')).toBe(true);
    const stats = await hub.close(Date.now() + 1000);
    expect(stats.good?.delivered).toBeGreaterThan(0);
    expect(stats.bad).toEqual({ generated: 0, delivered: 0, retried: 0, spilled: 0, dropped: 0 });
    expect(hub.sinkErrors.bad).toBe(4); // 2 intervals + 1 event + close
  });

  it('start() ticks on time; close() emits the final partial interval and closes sinks by the deadline', async () => {
    const mem = new MemorySink();
    const hang: Sink = { name: 'hang', flush: () => new Promise(() => {}), close: () => new Promise<SinkStats>(() => {}) };
    const hub = new MetricsHub({ runId: 'r', shard: '1/1', intervalMs: 50, sinks: [mem, hang] });
    hub.start();
    const t0 = Date.now();
    while (Date.now() - t0 < 330) {
      hub.record('chat.send_ack_ms', 1);
      await new Promise((r) => setTimeout(r, 5));
    }
    const closeStart = Date.now();
    const stats = await hub.close(Date.now() + 200);
    expect(Date.now() - closeStart).toBeLessThan(1000);
    expect(mem.intervals.length).toBeGreaterThanOrEqual(6);
    expect(hub.maxTickLateMs).toBeLessThan(40);
    expect(mem.closed).toBe(true);
    expect(stats.hang?.generated).toBe(0);
    const total = mem.intervals.reduce((a, s) => a + (s.series[0]?.count ?? 0), 0);
    expect(total).toBe(hub.accepted);
  });
});
