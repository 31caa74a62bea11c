import { describe, expect, it } from 'vitest';
import { analyseRun } from './bottlenecks.ts';
import { makeFixtureRun } from './testing/fixture-run.ts';

describe('blocked traffic', () => {
  it('is a finding when the host guard refused anything, naming the hosts, and none when it refused nothing', () => {
    const run = makeFixtureRun({ seed: 3 });
    const blocked = { total: 4, byHost: { '127.0.0.2:9000': 3, 'cdn.example:443': 1 }, byKind: { redirect: 3, tunnel: 1 }, examples: ['redirect http://127.0.0.2:9000/x'], browser: { total: 2, byHost: {}, examples: [] } };
    const finding = analyseRun({ ...run.summary, blocked }, run.intervals).findings.find((f) => f.type === 'blocked_traffic');
    expect(finding).toMatchObject({ severity: 'high', observed: 4 });
    expect(finding?.details).toMatch(/127\.0\.0\.2:9000 ×3, cdn\.example:443 ×1/);
    expect(finding?.recommendation).toMatch(/--allow-host/);
    const quiet = { ...blocked, total: 0, byHost: {}, byKind: {}, examples: [] };
    expect(analyseRun({ ...run.summary, blocked: quiet }, run.intervals).findings.some((f) => f.type === 'blocked_traffic')).toBe(false);
  });
});
