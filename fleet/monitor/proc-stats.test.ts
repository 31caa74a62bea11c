import { describe, expect, it } from 'vitest';
import { clockTicks, cpuTicksBetween, generatorCpuPercent, machineCpuPercent, memoryKb, parseProcStat, parsePssKb, parseRssKb, readProcCpu } from './proc-stats.ts';

// fixed /proc snapshots (real layouts, copied from a Chromium renderer on this machine's kernel)
const STAT_RENDERER = '4242 (chromium (renderer)) S 4200 4200 4200 0 -1 4194560 91234 0 12 0 1500 250 0 0 20 0 19 0 123456 1234567890 45678 18446744073709551615 1 1 0 0 0 0 0 4098 1098 0 0 0 17 1 0 0 0 0 0';
const SMAPS_ROLLUP = ['55d1c0000000-7ffd1a5fe000 ---p 00000000 00:00 0                          [rollup]', 'Rss:              204800 kB', 'Pss:               61440 kB', 'Pss_Anon:          40960 kB', 'Shared_Clean:     143360 kB', ''].join('\n');
const STATUS = ['Name:\tchromium', 'VmPeak:\t 9000000 kB', 'VmRSS:\t  204800 kB', 'RssAnon:\t   40960 kB', ''].join('\n');
const snap = (entries: Array<[number, number, number]>) => new Map(entries.map(([pid, cpuTicks, startTicks]) => [pid, { cpuTicks, startTicks }]));

describe('/proc accounting', () => {
  it('parses utime+stime and start time after the last ")" of comm, PSS and RSS', () => {
    expect(parseProcStat(STAT_RENDERER)).toEqual({ cpuTicks: 1750, startTicks: 123456 });
    expect(parseProcStat('garbage')).toBeUndefined();
    expect(parsePssKb(SMAPS_ROLLUP)).toBe(61440);
    expect(parseRssKb(STATUS)).toBe(204800);
    expect(parsePssKb('Rss: 1 kB')).toBeUndefined();
  });
  it('differences per pid: new pids count from first sight, exited pids drop out, a reused pid is new', () => {
    const t0 = snap([[1, 1000, 5], [2, 500, 6], [3, 70, 7]]);
    const t1 = snap([[1, 1150, 5], [2, 520, 6], [4, 9000, 8], [3, 10, 99]]); // 4 is new, 3 was reused
    expect(cpuTicksBetween(t0, t1)).toBe(150 + 20);
    const t2 = snap([[4, 9100, 8]]); // 1 and 2 exited
    expect(cpuTicksBetween(t1, t2)).toBe(100);
    expect(cpuTicksBetween(snap([[1, 50, 5]]), snap([[1, 40, 5]]))).toBe(0); // never negative
  });
  it('generator CPU = (node + browsers) / (cores × wall), clamped to 100 against tick rounding', () => {
    // 2 cores, 2 s wall: node 400 ms + browsers 180 ticks at 100 Hz (1800 ms) = 2200 ms of 4000 ms
    expect(generatorCpuPercent(400, (180 * 1000) / 100, 2, 2000)).toBeCloseTo(55, 10);
    // both cores full plus one 10 ms tick read a little late: 100, not 100.25
    expect(generatorCpuPercent(2000, 2010, 2, 2000)).toBe(100);
    expect(generatorCpuPercent(0, 0, 2, 2000)).toBe(0);
    expect(generatorCpuPercent(1, 1, 2, 0)).toBeNaN();
  });
  it('reads this process: CPU ticks grow with work, PSS ≤ RSS, CLK_TCK from getconf', async () => {
    expect(clockTicks()).toBe(100);
    const before = readProcCpu([process.pid, 999_999_999]);
    expect([...before.keys()]).toEqual([process.pid]); // a missing pid is skipped
    // burn 300 ms of this process's own CPU (not wall time: the machine may be shared), then the
    // /proc ticks must agree with what Node itself counted
    const cpuBefore = process.cpuUsage();
    const spent = () => { const u = process.cpuUsage(cpuBefore); return (u.user + u.system) / 1000; };
    while (spent() < 300);
    const ticks = cpuTicksBetween(before, readProcCpu([process.pid]));
    const expectedTicks = spent() / 10; // CLK_TCK 100: a tick is 10 ms
    expect(ticks).toBeGreaterThanOrEqual(expectedTicks - 5);
    expect(ticks).toBeLessThanOrEqual(expectedTicks + 5);
    const mem = await memoryKb([process.pid]);
    expect(mem.pssPids + mem.rssPids).toBe(1);
    expect(mem.kb).toBeGreaterThan(10_000);
    expect(mem.kb).toBeLessThanOrEqual(process.memoryUsage().rss / 1024 + 1024);
  });
  it('machine CPU busy % between two /proc/stat readings, NaN without a previous one or elapsed time', () => {
    expect(machineCpuPercent({ busy: 100, total: 1000 }, { busy: 250, total: 1200 })).toBe(75);
    expect(machineCpuPercent(undefined, { busy: 1, total: 2 })).toBeNaN();
    expect(machineCpuPercent({ busy: 1, total: 2 }, { busy: 1, total: 2 })).toBeNaN();
  });
});
