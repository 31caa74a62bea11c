// resource-monitor.ts was one file; its parts now live by concept (process-tree, proc-stats,
// run-queue-wait, target-scrape, saturation). Importers of the old path keep working.
import { describe, expect, it } from 'vitest';
import * as monitor from './resource-monitor.ts';
import * as procStats from './proc-stats.ts';
import * as processTree from './process-tree.ts';
import * as targetScrape from './target-scrape.ts';

describe('resource-monitor.ts re-exports', () => {
  it('gives the browser pool and the bench the same functions as their new homes', () => {
    expect(monitor.processTree).toBe(processTree.processTree);
    expect(monitor.isAlive).toBe(processTree.isAlive);
    expect(monitor.childPids).toBe(processTree.childPids);
    for (const name of ['clockTicks', 'memoryKb', 'parseProcStat', 'readProcCpu', 'cpuTicksBetween', 'generatorCpuPercent'] as const) expect(monitor[name], name).toBe(procStats[name]);
    expect(monitor.parsePrometheusText).toBe(targetScrape.parsePrometheusText);
    expect(typeof monitor.startResourceMonitor).toBe('function');
  });
});
