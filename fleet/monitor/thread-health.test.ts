import { constants } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { addPauses, gcKindOf, GcWatch, heapUsedMb } from './thread-health.ts';

// a real collection on demand: V8's own gc(), exposed for this test only
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;
const entriesDelivered = () => new Promise((resolve) => setTimeout(resolve, 50)); // observers are told after the GC, asynchronously

describe('a thread\'s heap and GC pauses', () => {
  it('names perf_hooks\' GC kinds', () => {
    expect(gcKindOf(constants.NODE_PERFORMANCE_GC_MAJOR)).toBe('major');
    expect(gcKindOf(constants.NODE_PERFORMANCE_GC_MINOR)).toBe('minor');
    expect(gcKindOf(constants.NODE_PERFORMANCE_GC_INCREMENTAL)).toBe('incremental');
    expect(gcKindOf(constants.NODE_PERFORMANCE_GC_WEAKCB)).toBe('weakcb');
    expect(gcKindOf(-1)).toBeUndefined();
  });

  it('sees a major and a minor collection of this thread, with their pause, once', async () => {
    const watch = new GcWatch().start();
    try {
      gc({ type: 'minor' });
      gc({ type: 'major' });
      // on a busy machine the observer's entries can come later than 50 ms: wait for both, ≤ 5 s
      const pauses = { ...watch.take() };
      for (let waited = 0; !(pauses.major && pauses.minor) && waited < 5_000; waited += 50) {
        await entriesDelivered();
        for (const [kind, ms] of Object.entries(watch.take())) pauses[kind as keyof typeof pauses] = ms;
      }
      expect(pauses.major).toBeGreaterThan(0);
      expect(pauses.minor).toBeGreaterThan(0);
      // taken: the next take starts again (a minor collection of the test's own allocations may
      // come meanwhile; a major one does not, unasked)
      expect(watch.take().major).toBeUndefined();
    } finally {
      watch.stop();
    }
    gc({ type: 'major' });
    await entriesDelivered();
    expect(new GcWatch().take()).toEqual({}); // stopped and never started: nothing seen
  });

  it('reads the heap used of this thread, which grows with what it keeps', () => {
    gc({ type: 'major' });
    const before = heapUsedMb();
    const holding = (() => {
      const kept = Array.from({ length: 200 }, () => Array.from({ length: 10_000 }, (_, i) => i + 0.5)); // ~16 MB of doubles
      return { mb: heapUsedMb(), arrays: kept.length };
    })();
    expect(holding.arrays).toBe(200);
    expect(holding.mb - before).toBeGreaterThan(10);
  });

  it('folds pauses: the longest of each kind wins', () => {
    const into = { minor: 2 };
    addPauses(into, { minor: 1, major: 40 });
    addPauses(into, { major: 12, weakcb: 0.1 });
    expect(into).toEqual({ minor: 2, major: 40, weakcb: 0.1 });
  });
});
