// Real CPU burners and a real HTTP /metrics endpoint. The burners (counted as generator
// processes) fill both cores, so the saturated case holds even when other work shares the
// machine; the quiet case judges generator CPU only, so other work cannot make it fail.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunEvent, Tags } from '../metrics/types.ts';
import { startResourceMonitor } from './resource-monitor.ts';

function recorder() {
  const samples: { metric: string; value: number; tags?: Tags }[] = [];
  return { samples, record: (metric: string, value: number, tags?: Tags) => void samples.push({ metric, value, tags }), values: (m: string) => samples.filter((s) => s.metric === m).map((s) => s.value) };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

describe('resource monitor', () => {
  it('marks two CPU burners as saturation after the window, with a reason and an event', async () => {
    for (let i = 0; i < 2; i++) children.push(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
    const rec = recorder();
    const events: RunEvent[] = [];
    const monitor = startResourceMonitor({
      recorder: rec,
      intervalMs: 250,
      browserPids: () => children.map((c) => c.pid!),
      saturation: { cpuPercent: 60, windowMs: 1500 },
      onEvent: (e) => events.push(e),
    });
    try {
      const deadline = Date.now() + 15_000; // generous: the machine may be shared
      while (!monitor.health().saturated && Date.now() < deadline) await sleep(100);
    } finally {
      await monitor.stop();
    }
    const health = monitor.health();
    expect(health.saturated).toBe(true);
    expect(health.reasons[0]).toMatch(/(generator|machine) CPU.* stayed above 60% for \d+ s/);
    expect(events.filter((e) => e.type === 'saturation')).toHaveLength(1);
    expect(Math.max(...rec.values('generator.browser_cpu_pct'))).toBeGreaterThan(50); // % of one core: the burners are seen
    expect(health.cpuPercentMax).toBeGreaterThan(60);
    // one wall window for node and every pid: two burners on this machine can fill it, never overfill it
    for (const v of rec.values('generator.cpu_pct')) expect(v).toBeLessThanOrEqual(100);
    expect(Math.max(...rec.values('generator.cpu_pct'))).toBeGreaterThan(100 / os.availableParallelism() - 10); // the burners are in it
    expect(rec.values('generator.browsers').at(-1)).toBe(2);
    expect(rec.values('generator.memory_mb').at(-1)).toBeGreaterThan(50);
  });

  it('does not call a quiet generator saturated, and records every generator.* metric', async () => {
    const rec = recorder();
    const events: RunEvent[] = [];
    const monitor = startResourceMonitor({ recorder: rec, intervalMs: 250, browserPids: () => [], saturation: { cpuPercent: 40, windowMs: 1000, useSystemCpu: false }, onEvent: (e) => events.push(e) });
    await sleep(2500);
    await monitor.stop();
    const health = monitor.health();
    expect(health.saturated).toBe(false);
    expect(health.samples).toBeGreaterThanOrEqual(5);
    expect(events.filter((e) => e.type === 'saturation')).toEqual([]);
    for (const m of ['generator.cpu_pct', 'generator.node_cpu_pct', 'generator.browser_cpu_pct', 'generator.memory_mb', 'generator.node_heap_mb', 'generator.system_cpu_pct', 'generator.system_memory_pct', 'generator.event_loop_delay_ms', 'generator.browsers']) {
      expect(rec.values(m).length, m).toBeGreaterThan(0);
    }
    expect(Math.max(...rec.values('generator.cpu_pct'))).toBeLessThan(40);
    expect(health.eventLoopDelayP99Ms).toBeGreaterThan(0);
  });

  it('scrapes the target /metrics, and counts a dead endpoint instead of throwing', async () => {
    const server = http.createServer((_req, res) => res.end('waddle_ws_connections 7\nprocess_cpu_percent 12.5\n'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const rec = recorder();
    const dead = recorder();
    const events: RunEvent[] = [];
    const live = startResourceMonitor({ recorder: rec, intervalMs: 200, browserPids: () => [], targetMetricsUrl: url, onEvent: () => {} });
    const broken = startResourceMonitor({ recorder: dead, intervalMs: 200, browserPids: () => [], targetMetricsUrl: 'http://127.0.0.1:9/metrics', onEvent: (e) => events.push(e) });
    await sleep(1000);
    await Promise.all([live.stop(), broken.stop()]);
    await new Promise((r) => server.close(r));
    expect(rec.values('target.ws_connections')).toContain(7);
    expect(rec.values('target.cpu_pct')).toContain(12.5);
    expect(dead.values('target.ws_connections')).toEqual([]);
    expect(broken.health().targetScrapeFailures).toBeGreaterThanOrEqual(2);
    expect(events.filter((e) => e.reason === 'target_metrics')).toHaveLength(1);
    expect(dead.values('generator.cpu_pct').length).toBeGreaterThan(0); // the rest goes on
  });
});
