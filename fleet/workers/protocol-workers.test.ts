import { describe, expect, it } from 'vitest';
import { MetricsHub } from '../../metrics/hub.ts';
import { describeProtocolThreads, mediaUserThreadWeight, workerCountFor } from './protocol-workers.ts';

describe('protocol worker threads', () => {
  it('are none up to 2,000 protocol users, then one per 3,000 up to two per core; a count given is kept', () => {
    expect(workerCountFor(0, 'auto', 8)).toBe(0);
    expect(workerCountFor(2000, 'auto', 8)).toBe(0);
    expect(workerCountFor(2001, 'auto', 8)).toBe(1);
    expect(workerCountFor(6001, 'auto', 8)).toBe(3);
    expect(workerCountFor(12_000, 'auto', 2)).toBe(4); // issue 18's acceptance shape on this machine
    expect(workerCountFor(20_000, 'auto', 2)).toBe(4);
    expect(workerCountFor(100, 3, 2)).toBe(3);
  });

  it('are described as threads of this process, apart from the machines "workers needed" counts; nothing without protocol users', () => {
    expect(describeProtocolThreads(0, 0, 'auto')).toBe('');
    expect(describeProtocolThreads(1002, 0, 'auto')).toBe('protocol users: 1002 at peak on the main thread (--protocol-workers auto: up to 2,000 on the main thread, then a thread per 3,000, at most two per core; "workers needed" counts machines)');
    expect(describeProtocolThreads(12_000, 4, 'auto')).toMatch(/^protocol users: 12000 at peak on 4 worker threads of this process \(--protocol-workers auto: /);
    expect(describeProtocolThreads(500, 1, 1)).toBe('protocol users: 500 at peak on 1 worker thread of this process (--protocol-workers 1; "workers needed" counts machines)');
  });

  it('weigh a protocolMedia user as ~55 plain ones: ~70 of them fill a core, 134 take three threads', () => {
    expect(mediaUserThreadWeight).toBeGreaterThan(40);
    expect(mediaUserThreadWeight).toBeLessThan(80);
    expect(Math.floor(4_000 / mediaUserThreadWeight)).toBeGreaterThan(60);
    expect(workerCountFor(4 * mediaUserThreadWeight, 'auto', 2)).toBe(0); // a few media users stay on the main thread
    expect(workerCountFor(134 * mediaUserThreadWeight, 'auto', 2)).toBe(3);
  });

  it('merge into the main hub exactly: a worker hub\'s interval series absorbed give the same totals as recording there', () => {
    const worker = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    const direct = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    const main = new MetricsHub({ runId: 'r', shard: '1/1', sinks: [] });
    for (let i = 1; i <= 500; i++) {
      const tags = { journey: 'chatMessaging', driver: 'protocol' };
      for (const hub of [worker, direct]) {
        hub.record('chat.delivery_ms', i % 97, tags);
        hub.record('chat.messages_sent', 1, tags);
        hub.record('step.errors', i % 50 === 0 ? 1 : 0, { ...tags, step: 'send_message' });
      }
      if (i % 100 === 0) main.absorb(worker.tick().series);
    }
    const pick = (hub: MetricsHub, metric: string) => hub.totals().find((t) => t.metric === metric)!;
    for (const metric of ['chat.delivery_ms', 'chat.messages_sent', 'step.errors']) {
      const [a, b] = [pick(main, metric), pick(direct, metric)];
      expect([a.count, a.sum, a.min, a.max, a.nonZero ?? 0]).toEqual([b.count, b.sum, b.min, b.max, b.nonZero ?? 0]);
      expect(a.p99).toBe(b.p99);
    }
  });
});
