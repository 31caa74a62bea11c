// No secrets in output (RELIABILITY.md: tokens and passwords never appear in logs, reports, tags
// or traces). The real command is given canary values as an InfluxDB URL password, a token and a
// password variable — against a real InfluxDB 1.6.7 and against a dead port, so both the happy
// path and the error paths print what they print — and every artefact is searched for them:
// stdout, stderr and every file of the run folder (events, samples, intervals, summary, report,
// JUnit, plan), also base64-encoded as HTTP Basic auth would carry them.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { runCli, type CliResult } from './helpers/cli.ts';
import { freePort, influxQuery, startInfluxdb1, type Influxdb1Store } from './helpers/metric-stores.ts';

let dir: string;
let influx: Influxdb1Store;

const shortChatPlan = `import { definePlan } from 'waddle-fleet';
export default definePlan({
  name: 'secrets',
  phases: [{ name: 'steady', targetUsers: 1, rampUp: '1s', duration: '8s',
    scenarios: [{ journey: 'chatMessaging', users: 1, params: { count: 3, intervalMs: 1000, receiveMs: 1000 } }] }],
  thresholds: { 'chat.messages_sent': ['count>0'] },
});
`;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-secrets-'));
  await writeFile(join(dir, 'plan.ts'), shortChatPlan);
  influx = await startInfluxdb1({ db: 'waddle' });
});
afterAll(async () => {
  await influx?.stop();
  await rm(dir, { recursive: true, force: true });
});

function canaries(label: string) {
  const id = randomUUID().slice(0, 8);
  return { urlPassword: `CANARY1${label}${id}`, token: `CANARY2${label}${id}`, envPassword: `CANARY3${label}${id}`, targetPassword: `CANARY4${label}${id}` };
}

/** Every form a secret could leak in: as is, and base64 (alone, or as Basic auth user:password). */
function leakForms(secrets: readonly string[], user: string): string[] {
  return secrets.flatMap((s) => [s, Buffer.from(s).toString('base64'), Buffer.from(`${user}:${s}`).toString('base64')]);
}

async function filesUnder(path: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path, { withFileTypes: true })) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** Where each form turns up: "stdout", "stderr" or a file path. Empty when nothing leaked. */
async function leaks(result: CliResult, resultsDir: string | undefined, forms: readonly string[]): Promise<string[]> {
  const places: Array<[string, string]> = [['stdout', result.stdout], ['stderr', result.stderr]];
  if (resultsDir) for (const f of await filesUnder(resultsDir)) places.push([f, await readFile(f, 'latin1')]);
  return places.flatMap(([where, text]) => forms.filter((form) => text.includes(form)).map((form) => `${form} in ${where}`));
}

// the three cases at once: each its own canaries, results folder and exit code; none asserts a time
describe.concurrent('waddle-fleet run prints and writes no secret', () => {
  it('with a real InfluxDB 1.x (v1 API): URL password and WADDLE_FLEET_INFLUX_PASSWORD stay hidden, points arrive', async ({ expect }) => {
    const c = canaries('v1');
    const results = join(dir, 'results-v1');
    const url = new URL(influx.url);
    url.username = 'waddle';
    url.password = c.urlPassword;
    const r = await runCli(['run', join(dir, 'plan.ts'), '--results', results, '--no-progress', '--influx-url', url.href, '--influx-api', 'v1', '--influx-db', influx.db], {
      cwd: dir,
      env: { WADDLE_FLEET_INFLUX_PASSWORD: c.envPassword },
    });
    expect(r.code, r.stdout + r.stderr).not.toBe(1);
    expect(r.code).not.toBe(2);
    expect(r.stdout).toContain(`InfluxDB: writing to http://waddle:***@${url.host}`);
    expect(await leaks(r, results, leakForms([c.urlPassword, c.envPassword], 'waddle'))).toEqual([]);
    // the credentials were still used: the run's points are in InfluxDB
    expect((await influxQuery(influx, 'SHOW MEASUREMENTS')).length).toBeGreaterThan(0);
    expect((await readdir(results)).length).toBeGreaterThan(0);
  });

  it('with a dead InfluxDB (v2 API): URL password, token and password variable stay hidden in every error', async ({ expect }) => {
    const c = canaries('v2');
    const results = join(dir, 'results-v2');
    const dead = `http://user:${c.urlPassword}@127.0.0.1:${await freePort()}`;
    const r = await runCli(['run', join(dir, 'plan.ts'), '--results', results, '--no-progress', '--influx-url', dead, '--influx-token', c.token, '--influx-org', 'o', '--influx-bucket', 'b'], {
      cwd: dir,
      env: { WADDLE_FLEET_INFLUX_PASSWORD: c.envPassword },
    });
    // an InfluxDB that cannot be reached is found before any load (issue 12), and said without its secrets
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/InfluxDB: InfluxDB at http:\/\/127\.0\.0\.1:\d+ could not be reached/);
    expect(await leaks(r, undefined, leakForms([c.urlPassword, c.token, c.envPassword], 'user'))).toEqual([]); // refused: no run folder
  });

  it('in configuration errors (exit 2): a malformed InfluxDB URL and a target URL with credentials', async ({ expect }) => {
    const c = canaries('cfg');
    const targetUrl = `http://u:${c.targetPassword}@127.0.0.1:${await freePort()}`;
    const [badUrl, target] = await Promise.all([
      runCli(['run', join(dir, 'plan.ts'), '--dry-run', '--influx-url', `http://user:${c.urlPassword}@127.0.0.1:99999`, '--influx-token', c.token], { cwd: dir }),
      runCli(['run', join(dir, 'plan.ts'), '--results', join(dir, 'results-cfg'), '--target', targetUrl, '--target-wait', '1s'], { cwd: dir }),
    ]);
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--influx-url/);
    expect(target.code).toBe(2);
    expect(target.stderr).toMatch(/--target/);
    for (const r of [badUrl, target]) expect(await leaks(r, undefined, leakForms([c.urlPassword, c.token, c.targetPassword], 'u'))).toEqual([]);
  });
});
