// Every configuration problem at once, through the real command (issue 9: a plan with 8 problems
// needed 3 runs): shape, params, journeys, drivers, capabilities, thresholds and flags come out
// in one pass, before anything starts (exit 2).
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-config-problems-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const plan = `import { definePlan, defineDriver } from 'waddle-fleet';
const chatOnly = defineDriver({ name: 'chatOnly', kind: 'protocol', capabilities: ['chat'], create: () => { throw new Error('never'); } });
export default definePlan({
  name: 'many-problems',
  drivers: [chatOnly],
  phases: [{ name: 'p', targetUsers: 4, rampUp: '30', duration: '1m', scenarios: [
    { journey: 'chatMesaging', users: 1 },
    { journey: 'voiceCall', users: 1, params: { talkMS: 1000 } },
    { journey: 'voiceCall', driver: 'chatOnly', users: 1 },
    { journey: 'fileUpload', driver: 'protocl', users: 1 },
  ] }],
  thresholds: { 'chat.delivry_ms': ['p(95)<1000'], 'journey.errors': ['rate<<0.1'] },
} as never);
`;

describe('configuration problems', () => {
  it('all come out in one pass, each saying where and how to fix, and nothing starts', async () => {
    await writeFile(join(dir, 'plan.ts'), plan);
    const results = join(dir, 'results');
    const r = await runCli(['run', join(dir, 'plan.ts'), '--scale', '0', '--interval', '5', '--results', results, '--no-progress'], { cwd: dir });
    expect(r.code).toBe(2);
    const text = r.stderr;
    const expected = [
      /--scale: expected a number > 0/,
      /--interval: expected a duration like '5s'/,
      /phases\[0\]\.rampUp: expected a duration/,
      /phases\[0\]\.scenarios\[0\]\.journey: unknown journey 'chatMesaging'; did you mean 'chatMessaging'\?/,
      /phases\[0\]\.scenarios\[1\]\.params\.talkMS: unknown parameter of voiceCall; did you mean 'talkMs'\?/,
      /phases\[0\]\.scenarios\[2\]: journey 'voiceCall' needs 'voice', which driver 'chatOnly' does not have/,
      /phases\[0\]\.scenarios\[3\]\.driver: unknown driver 'protocl'; did you mean 'protocol'\?/,
      /unknown metric "chat\.delivry_ms"\. Did you mean "chat\.delivery_ms"\?/,
      /malformed expression "rate<<0\.1"/,
    ];
    for (const problem of expected) expect(text).toMatch(problem);
    expect(text).toMatch(/waddle-fleet: (\d+) configuration problems; nothing was started/);
    expect(Number(/(\d+) configuration problems/.exec(text)?.[1])).toBeGreaterThanOrEqual(expected.length);
    await expect(readdir(results)).rejects.toThrow(); // no run folder: nothing started
  });
});
