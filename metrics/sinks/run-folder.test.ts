import { mkdtemp, readFile, readlink, rm, appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { atomicWrite } from '../atomic-write.ts';
import { MetricsHub } from '../hub.ts';
import { RunFolderSink, createRunFolder, readRunFolder } from './run-folder.ts';

let root = '';
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'waddle-runfolder-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('RunFolderSink', () => {
  it('writes events, samples and intervals as NDJSON that readRunFolder reads back exactly', async () => {
    const dir = await createRunFolder(root, 'run-1');
    const sink = new RunFolderSink(dir);
    let nowMs = 1_700_000_000_000;
    // a clock that moves only when the test says, so close() has no partial interval to add
    const hub = new MetricsHub({ runId: 'run-1', shard: '1/1', sinks: [sink], sampleBatchSize: 50, now: () => nowMs });
    hub.event({ timeMs: Date.now(), type: 'run_start', message: 'quote " newline \n unicode ✓' });
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 120; j++) hub.record('chat.delivery_ms', j, { journey: 'chatMessaging' });
      nowMs += 5000;
      hub.tick();
    }
    await sink.flush(Date.now() + 2000);
    // after an interval, samples of that interval are on disk without closing
    const samplesMid = (await readFile(join(dir, 'samples.ndjson'), 'utf8')).trim().split('\n');
    expect(samplesMid).toHaveLength(360);
    hub.event({ timeMs: Date.now(), type: 'run_end' });
    const stats = await hub.close(Date.now() + 2000);
    expect(stats['run-folder']).toEqual({ generated: 360 + 3 + 2, delivered: 365, retried: 0, spilled: 0, dropped: 0 });
    const read = await readRunFolder(dir);
    expect(read.intervals).toHaveLength(3);
    expect(read.intervals.reduce((n, s) => n + (s.series[0]?.count ?? 0), 0)).toBe(360);
    expect(read.events.map((e) => e.type)).toEqual(['run_start', 'run_end']);
    expect(read.events[0]?.message).toBe('quote " newline \n unicode ✓');
    expect(read.summary).toBeNull();
    expect(read.problems).toEqual(['summary.json: missing (the run never got to write it)']);
  });

  it('readRunFolder skips and reports a truncated last line and a malformed middle line', async () => {
    const dir = await createRunFolder(root, 'run-2');
    await appendFile(join(dir, 'events.ndjson'), '{"timeMs":1,"type":"run_start"}\nnot json\n{"timeMs":2,"type":"run_end"}\n{"timeMs":3,"ty');
    await appendFile(join(dir, 'intervals.ndjson'), '');
    await atomicWrite(join(dir, 'summary.json'), '{"schemaVersion":1}');
    const read = await readRunFolder(dir);
    expect(read.events.map((e) => e.timeMs)).toEqual([1, 2]);
    expect(read.summary?.schemaVersion).toBe(1);
    expect(read.problems).toHaveLength(2);
    expect(read.problems[0]).toMatch(/events.ndjson: the last line is truncated/);
    expect(read.problems[1]).toMatch(/events.ndjson:2: malformed JSON line/);
  });

  it('createRunFolder points results/latest at the newest run', async () => {
    await createRunFolder(root, 'a');
    const b = await createRunFolder(root, 'b');
    expect(await readlink(join(root, 'latest'))).toBe('b');
    expect(b).toBe(join(root, 'b'));
    await expect(createRunFolder(root, '../evil')).rejects.toThrow(/must use only/);
  });
});

describe('atomicWrite', () => {
  it('a reader polling the file never sees a partial summary', async () => {
    const path = join(root, 'summary.json');
    await atomicWrite(path, JSON.stringify({ n: -1 }));
    let stop = false;
    let reads = 0;
    const reader = (async () => {
      while (!stop) {
        const text = await readFile(path, 'utf8');
        JSON.parse(text); // throws on a partial file
        reads++;
      }
    })();
    for (let i = 0; i < 150; i++) {
      // alternate big and small so a torn write would show
      const big = i % 2 === 0 ? 'x'.repeat(200_000) : '';
      await atomicWrite(path, JSON.stringify({ n: i, big }));
    }
    stop = true;
    await reader;
    expect(reads).toBeGreaterThan(10);
    expect(JSON.parse(await readFile(path, 'utf8')).n).toBe(149);
  });

  it('says what and where when it cannot write', async () => {
    await expect(atomicWrite(join(root, 'no-such-dir', 'summary.json'), '{}')).rejects.toThrow(/could not write .*no-such-dir\/summary.json atomically/);
  });
});
