// The tasks of a run, in order (DESIGN.md style 4): results folder → target → metrics and sinks →
// resource monitor → media → browser pool → load. Each makes one part of the run context and
// returns what undoes it; fleet/tasks.ts runs them and the teardowns in reverse, always.
import { mediaMarksFor } from './media-marks-mode.ts';
import { mechanismLine } from '../network/describe.ts';
import { isImpairing } from '../network/profile.ts';
import { NetworkRelay, relayMechanism } from '../network/relay/relay.ts';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWrite } from '../metrics/atomic-write.ts';
import { MetricsHub } from '../metrics/hub.ts';
import { createInfluxSink } from '../metrics/sinks/influx.ts';
import { redactUrl } from '../common/redact.ts';
import { createRunFolder, RunFolderSink } from '../metrics/sinks/run-folder.ts';
import type { Sink } from '../metrics/types.ts';
import { callRoomLayout, peakConcurrency } from '../plans/schedule.ts';
import { targetNeeds } from '../plans/target-needs.ts';
import type { Driver, ProtocolDriver, VideoProfile } from '../clients/driver.ts';
import { prepareMedia } from '../fake-media/prepare-media.ts';
import { defaultMediaCacheDir } from '../fake-media/media-cache.ts';
import { BrowserPool } from './pool/browser-pool.ts';
import { runAllowList } from './guard/host-guard.ts';
import { runLoad } from './users/load.ts';
import { sharesContext, userMedia } from './users/user-session.ts';
import { browserNeeds } from './pool/prelaunch.ts';
import { sleep } from '../common/async.ts';
import { startResourceMonitor } from './monitor/resource-monitor.ts';
import { describeSweep, sweepStaleLitter } from './lifecycle/stale-litter.ts';
import type { RunContext } from './run-context.ts';
import { rawSamplesDecision } from './raw-samples.ts';
import { waitForStart } from './start-at.ts';
import { startLiveServer } from './live/live-server.ts';
import { liveSnapshot } from './live/live-snapshot.ts';
import type { Task } from './tasks.ts';
import { describeStop } from '../metrics/stop-reason.ts';

/** After the browsers started before load: the tail of their start-up (a first page's work lasts ~1.5 s) ends before load. */
const prelaunchSettleMs = 1_000;
/** The budget for closing sinks (InfluxDB flush) at the end. */
const sinkCloseBudgetMs = 10_000;
const mediaCacheDir = defaultMediaCacheDir();

export function tasksOfRun(run: RunContext): Task[] {
  return [earlierLitter(run), resultsFolder(run), target(run), metrics(run), resourceMonitor(run), liveView(run), media(run), browserPool(run), browsersBeforeLoad(run), networkRelay(run), load(run)];
}

/** What runs killed earlier left (profiles, temp folders, half-written media), never what a live run uses. */
function earlierLitter(run: RunContext): Task {
  return {
    name: 'clean up after killed runs',
    setup: async () => {
      const swept = describeSweep(await sweepStaleLitter());
      if (swept) run.log(swept);
    },
  };
}

function resultsFolder(run: RunContext): Task {
  return {
    name: 'results folder',
    setup: async () => {
      await mkdir(run.config.resultsDir, { recursive: true });
      const runDir = await createRunFolder(run.config.resultsDir, run.runId);
      const { resolved, catalog, seed } = run.prepared;
      await atomicWrite(join(runDir, 'plan.json'), JSON.stringify({ ...resolved, seed, callRooms: callRoomLayout(resolved, catalog.journey) }, null, 2));
      run.set('runDir', runDir);
      run.log(`run folder: ${runDir}`);
    },
  };
}

function target(run: RunContext): Task {
  return {
    name: 'target',
    setup: async () => {
      if (run.config.target) {
        run.set('target', run.config.target);
        return;
      }
      // a voice channel per call room, the text channels the chatters' groups need, the history the
      // seeders fill and the uploads' size (at least the defaults)
      const needs = targetNeeds(run.prepared.resolved, run.prepared.catalog);
      // imported here: a run with a --target (and a dry run) does not load the reference Waddle
      const { startReferenceWaddle } = await import('../reference-waddle/server.ts');
      const { DEFAULT_HISTORY_LIMIT, DEFAULT_MAX_UPLOAD_BYTES } = await import('../reference-waddle/options.ts');
      const waddle = await startReferenceWaddle({
        port: 0,
        voiceChannels: Math.max(10, needs.voiceChannels),
        textChannels: Math.max(3, needs.textChannels),
        historyLimit: Math.max(DEFAULT_HISTORY_LIMIT, needs.historyMessages),
        maxUploadBytes: Math.max(DEFAULT_MAX_UPLOAD_BYTES, needs.uploadBytes),
        media: run.config.targetMedia,
      });
      run.set('target', waddle.url);
      run.log(`reference Waddle started at ${waddle.url}${waddle.sfuPid !== undefined ? ` (calls through its Janus, pid ${waddle.sfuPid})` : ''}`);
      return () => waddle.stop();
    },
  };
}

function metrics(run: RunContext): Task {
  return {
    name: 'metrics',
    setup: async () => {
      const protocolPeak = peakConcurrency(run.prepared.slots, (slot) => (isBrowserSlot(run, slot.driver) ? 0 : 1));
      const samples = rawSamplesDecision(run.config.rawSamples, protocolPeak);
      if (samples.note) run.log(samples.note);
      const sinks: Sink[] = [new RunFolderSink(run.need('runDir'), { writeSamples: samples.write })];
      const influx = run.config.influx;
      if (influx) {
        sinks.push(createInfluxSink({ ...influx, runId: run.runId, shard: run.shardLabel, onWarning: (m) => run.log(`warning: InfluxDB: ${m}`) }));
        run.log(`InfluxDB: writing to ${redactUrl(influx.url)} (${influx.api})`);
      }
      const hub = new MetricsHub({ runId: run.runId, shard: run.shardLabel, intervalMs: run.config.intervalMs, sinks });
      hub.start();
      run.set('hub', hub);
      hub.event({ timeMs: Date.now(), type: 'run_start', data: { plan: run.prepared.resolved.name, target: redactUrl(run.need('target')), seed: run.prepared.seed } });
      return async () => {
        hub.event({ timeMs: Date.now(), type: 'run_end', ...(run.stopReasons.length ? { message: run.stopReasons.map(describeStop).join('; ') } : {}) });
        run.set('sinkStats', await hub.close(Date.now() + sinkCloseBudgetMs));
      };
    },
  };
}

function resourceMonitor(run: RunContext): Task {
  return {
    name: 'resource monitor',
    setup: async () => {
      const monitor = startResourceMonitor({
        recorder: run.need('hub'),
        intervalMs: 2000,
        browserPids: () => run.get('pool')?.pids() ?? [],
        targetMetricsUrl: run.config.targetMetrics ?? new URL('/metrics', run.need('target')).href,
        targetMetricsExplicit: run.config.targetMetrics !== undefined,
        saturation: { cpuPercent: run.config.saturationCpu, windowMs: 10_000 },
        // before load, and while the pool launches browsers, the generator is starting up
        isStartingUp: () => !run.loadStarted || (run.get('pool')?.isStartingUp() ?? false),
        otherThreads: () => run.get('workers')?.takeFigures(),
        onEvent: (event) => run.record(event),
      });
      run.set('monitor', monitor);
      return async () => {
        await monitor.stop();
        run.set('monitorHealth', monitor.health());
      };
    },
  };
}

/** `--live`: the run's report and the verdict as it stands, on loopback (fleet/live/). */
function liveView(run: RunContext): Task {
  return {
    name: 'live view',
    setup: async () => {
      const port = run.config.livePort;
      if (port === undefined) return;
      const { buildLivePage } = await import('./live/live-page.ts'); // only a --live run loads the report builder
      const server = await startLiveServer({ port, refreshMs: run.config.intervalMs, buildPage: () => buildLivePage(run.need('runDir'), liveSnapshot(run), run.config.intervalMs) });
      run.log(`live view: ${server.url}`);
      return () => server.close();
    },
  };
}

/** Fake camera and mic files for every browser media profile, and protocol drivers' pre-encoded files (prepareMedia), made (or found in the cache) before any user waits on ffmpeg. */
function media(run: RunContext): Task {
  return {
    name: 'media',
    setup: async () => {
      const { catalog, resolved, slots } = run.prepared;
      const cameras = new Map<string, { width: number; height: number; fps: number } | undefined>();
      for (const slot of slots) {
        if (!isBrowserSlot(run, slot.driver)) continue;
        const camera = resolved.media.camera ?? catalog.journey(slot.journey)?.media?.camera;
        cameras.set(camera ? `${camera.width}x${camera.height}@${camera.fps}` : 'none', camera && (resolved.media.camera ?? camera));
      }
      // protocol drivers that send media files (protocolMedia) make them now, once per profile
      const protocolProfiles = new Map<string, { driver: ProtocolDriver; media: { camera?: VideoProfile; screen?: VideoProfile } }>();
      for (const slot of slots) {
        const driver = catalog.driver(slot.driver);
        if (driver?.kind !== 'protocol' || !driver.prepareMedia) continue;
        const own = catalog.journey(slot.journey)?.media;
        const camera = own?.camera && (resolved.media.camera ?? own.camera);
        const screen = own?.screen && (resolved.media.screen ?? own.screen);
        const m = { ...(camera ? { camera } : {}), ...(screen ? { screen } : {}) };
        protocolProfiles.set(`${driver.name} ${JSON.stringify(m)}`, { driver, media: m });
      }
      for (const { driver, media } of protocolProfiles.values()) await driver.prepareMedia!(media);
      for (const camera of cameras.values()) {
        await prepareMedia({ cacheDir: mediaCacheDir, voiceActivity: 0.5, ...(camera ? { camera: { ...camera, label: `waddle-fleet ${camera.width}x${camera.height}@${camera.fps}` } } : {}) });
      }
    },
  };
}

function browserPool(run: RunContext): Task {
  return {
    name: 'browser pool',
    setup: async () => {
      if (!run.prepared.slots.some((slot) => isBrowserSlot(run, slot.driver))) return;
      const pool = await BrowserPool.launch({
        executablePath: run.config.chromiumPath,
        maxBrowsers: run.config.maxBrowsers,
        contextsPerBrowser: run.config.contextsPerBrowser,
        mediaCacheDir,
        probeIntervalMs: run.config.probeIntervalMs,
        // the target's host:port and the --allow-host ones: nothing else, not even another loopback port
        allowedHosts: runAllowList(run.need('target'), run.config.allowHosts),
        allowNonLoopbackHosts: run.config.allowRemoteTarget,
        onEvent: (event) => run.record(event),
        relaunch: { maxPerMinute: 5, backoffMs: 1000 },
        extraArgs: run.config.chromiumArgs,
        audioProcessing: run.config.fakeMicProcessing,
        mediaMarks: mediaMarksFor(run.config.mediaMarks, run.prepared.gate.map((t) => t.metric)),
        frameRate: run.prepared.frames.fps,
      });
      run.set('pool', pool);
      return () => pool.close();
    },
  };
}

/** The browsers the plan's browser users will need, started before load (fleet/pool/prelaunch.ts); should that fail, users start them on demand. */
function browsersBeforeLoad(run: RunContext): Task {
  return {
    name: 'browsers before load',
    setup: async () => {
      const pool = run.get('pool');
      if (!pool) return;
      const { catalog, resolved, slots } = run.prepared;
      const networks = resolved.networks ?? {};
      const users = slots.filter((slot) => isBrowserSlot(run, slot.driver)).map((slot) => ({
        span: slot,
        media: userMedia(catalog.journey(slot.journey)?.media, resolved.media),
        sharesContext: sharesContext(isolationOf(catalog.driver(slot.driver)), run.config, Boolean(slot.network && networks[slot.network] && isImpairing(networks[slot.network]!))),
      }));
      const startedMs = Date.now();
      try {
        await pool.prelaunch(browserNeeds(users, run.config.contextsPerBrowser, run.config.maxBrowsers));
        await sleep(prelaunchSettleMs);
        const { frames } = run.prepared;
        const paced = frames.fps > 0 ? `, pages paced at ${frames.fps} frames/s${frames.why ? ` (${frames.why})` : ''}` : frames.why ? `, ${frames.why}` : '';
        run.log(`browser pool: ${pool.stats().browsers} browser(s) (${run.config.chromiumPath}${paced}) started before load in ${((Date.now() - startedMs) / 1000).toFixed(1)} s (events.ndjson browser_launch)`);
      } catch (error) {
        run.record({ timeMs: Date.now(), type: 'warning', reason: 'prelaunch', message: `browsers could not start before load; users start them on demand: ${(error as Error).message}` });
      }
    },
  };
}

/** The impairing relay, when a browser user of this shard has a network that changes anything (network/README.md). */
function networkRelay(run: RunContext): Task {
  return {
    name: 'network relay',
    setup: async () => {
      const networks = run.prepared.resolved.networks ?? {};
      const pool = run.get('pool');
      const impaired = run.prepared.slots.filter((slot) => isBrowserSlot(run, slot.driver) && slot.network && networks[slot.network] && isImpairing(networks[slot.network]!));
      if (Object.keys(networks).length > 0) run.log(`networks: ${mechanismLine}`);
      if (!pool || impaired.length === 0) return;
      const relay = await NetworkRelay.start(pool.peerAddresses);
      run.log(`network relay: turn:127.0.0.1:${relay.port} for ${impaired.length} browser users (${relayMechanism}, its own thread)`);
      run.set('relay', relay);
      return () => relay.close();
    },
  };
}

function load(run: RunContext): Task {
  return {
    name: 'load',
    setup: async () => {
      const startAtMs = run.config.startAtMs;
      if (startAtMs !== undefined) {
        run.log(`waiting for the common start at ${new Date(startAtMs).toISOString()}`);
        if (!(await waitForStart(startAtMs, run.stopLoad.signal))) {
          run.missedStart = true;
          run.stopReasons.push({ kind: 'missedStart' });
          return;
        }
      }
      const { load: result, phases } = await runLoad(run);
      run.set('load', result);
      run.set('phases', phases);
    },
  };
}

const isolationOf = (driver: Driver | undefined): { isolation?: 'context' | 'page' } => (driver?.kind === 'browser' && driver.isolation ? { isolation: driver.isolation } : {});

function isBrowserSlot(run: RunContext, driverName: string): boolean {
  return run.prepared.catalog.isBrowserDriver(driverName);
}
