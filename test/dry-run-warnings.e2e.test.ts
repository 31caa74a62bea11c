// What the dry run warns about before a long run is wasted (issue 19, item 6): a plan threshold on
// a metric no journey of the plan records fails as "no data" at the very end. Through the real
// command, dry runs only (nothing starts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-dry-warnings-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the dry run', () => {
  it('warns about thresholds on metrics no journey of the plan records, and only those', async () => {
    await writeFile(join(dir, 'unfed.ts'), `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'unfed',
  phases: [{ name: 'steady', targetUsers: 4, rampUp: '1s', duration: '1m', scenarios: [{ journey: 'chatMessaging', driver: 'protocol', users: 4 }] }],
  thresholds: {
    'chat.delivery_ms': ['p(95)<1000'],
    'upload.bytes{driver:protocol}': ['count>0'],
    'webrtc.fps': ['p(50)>10'],
    'voice.join_ms': [{ threshold: 'p(95)<2000', optional: true }],
    'generator.cpu_pct': ['value<90'],
  },
});
`);
    const r = await runCli(['run', join(dir, 'unfed.ts'), '--dry-run'], { cwd: dir });
    expect(r.code).toBe(0);
    const warnings = r.stdout.split('\n').filter((l) => /WARNING: threshold /.test(l));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/threshold upload\.bytes\{driver:protocol\}: no journey of this plan \(chatMessaging\) records upload\.bytes, so it will fail as no data/);
    expect(warnings[1]).toMatch(/threshold webrtc\.fps: .*records webrtc\.fps \(webrtc\.\* comes from call journeys on a browser driver/);
  });
});
