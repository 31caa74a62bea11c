// A protocol worker thread: runs its share of the run's protocol users on its own event loop, so
// thousands of them use more than one core. It loads the plan itself (the plan's journeys and
// drivers are code, not data), measures into a hub of its own with no sinks, and every second
// sends the main thread what it measured (merged there exactly: fleet/workers/protocol-workers.ts),
// its events, and its own health: event-loop delay, heap used and GC pauses (its collector stops
// its users alone, and no other thread can see it). Started with the fleet's module hooks (--import).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { createRedactor } from '../../common/redact.ts';
import { MetricsHub } from '../../metrics/hub.ts';
import type { RunEvent } from '../../metrics/types.ts';
import { planCatalog } from '../../plans/catalog.ts';
import { loadPlan } from '../../plans/index.ts';
import { GcWatch, heapUsedMb } from '../monitor/thread-health.ts';
import { PresenceBoard } from '../users/measured-client.ts';
import { runSchedule } from '../users/scheduler.ts';
import { startUser } from '../users/user-session.ts';
import type { FromWorker, ToWorker, WorkerSetup } from './messages.ts';

const port = parentPort!;
const setup = workerData as WorkerSetup;
const send = (message: FromWorker): void => port.postMessage(message);

const loaded = await loadPlan(setup.planRef);
if (!loaded.ok) {
  send({ type: 'failed', message: `worker ${setup.worker} could not load the plan ${setup.planRef}: ${loaded.problems.join('; ')}` });
} else {
  const catalog = planCatalog(loaded.plan);
  const hub = new MetricsHub({ runId: setup.runId, shard: setup.shard, intervalMs: 1000, sinks: [] });
  const redact = createRedactor(setup.secrets);
  let events: RunEvent[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  const gc = new GcWatch();
  const stop = new AbortController();

  /** what was measured and what happened since the last report */
  const report = (): void => {
    // users.active is a level per lane, summed over threads by the main thread from user_start/user_end
    const series = hub.tick().series.filter((s) => s.count > 0 && s.metric !== 'users.active');
    if (series.length > 0) send({ type: 'series', series });
    if (events.length > 0) send({ type: 'events', events });
    events = [];
    send({ type: 'loop', p99Ms: loop.count > 0 ? loop.percentile(99) / 1e6 : 0, heapMb: heapUsedMb(), gc: gc.take() });
    loop.reset();
  };

  const run = async (): Promise<void> => {
    loop.enable();
    gc.start();
    const reporter = setInterval(report, 1000);
    const result = await runSchedule({
      slots: setup.slots,
      startVu: (slot, stopSignal, abortSignal) => startUser(env, slot, stopSignal, abortSignal),
      signal: stop.signal,
      gracefulStopMs: setup.gracefulStopMs,
      interruptGraceMs: setup.interruptGraceMs,
      ...(setup.maxArrivalsPerSecond !== undefined ? { maxArrivalsPerSecond: setup.maxArrivalsPerSecond } : {}),
      onLag: (slot, lagMs) => hub.record('users.schedule_lag_ms', lagMs, { journey: slot.journey, driver: slot.driver }),
    });
    clearInterval(reporter);
    report();
    loop.disable();
    gc.stop();
    send({ type: 'done', result: { ...result, outcomes: [] } });
  };

  const env = {
    catalog,
    target: setup.target,
    seed: setup.seed,
    thinkTimeScale: setup.thinkTimeScale,
    media: setup.media,
    ...(setup.networks ? { networks: setup.networks } : {}),
    loadStartedAtMs: Date.now(), // the worker is made as the load starts (network schedules count from here)
    recorder: hub,
    record: (event: RunEvent) => events.push(event.message === undefined ? event : { ...event, message: redact(event.message) }),
    board: new PresenceBoard(10),
    traceFailures: 'off' as const,
    contextPerUser: false,
  };

  port.on('message', (message: ToWorker) => {
    if (message.type === 'start') void run().catch((error: unknown) => send({ type: 'failed', message: `worker ${setup.worker}: ${error instanceof Error ? error.stack ?? error.message : String(error)}` }));
    else if (message.type === 'stop') stop.abort();
  });
  send({ type: 'ready' });
}
