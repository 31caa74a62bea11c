// A user's plan folder outside the repo, set up as a user would: waddle-fleet installed from its
// npm tarball (`npm pack`, which runs `prepare` and so builds the declarations), the driver guide's
// files (docs/writing-a-driver.md) beside plan files in .ts, .mts, .js and .mjs that import them by
// relative path. The real tsc checks them with no path mappings; the real command loads them.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkPackages, repoRoot, writeGuideFiles } from './fixtures/tiny-chat/user-files.ts';
import { runCli } from './helpers/cli.ts';
import { packedTarball } from './helpers/packed-tarball.ts';

const run = promisify(execFile);
const tsc = join(repoRoot, 'node_modules', '.bin', 'tsc');

// no "type": "module": the harder case for the loader (Node calls .js and .ts files CommonJS here)
const packageJson = { name: 'my-load-tests', private: true, devDependencies: { 'waddle-fleet': '^0.1.0' } };

const tsconfig = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noEmit: true,
    allowImportingTsExtensions: true,
    allowJs: true,
    checkJs: true,
    types: ['node'],
  },
  include: ['*.ts', '*.mts', '*.js', '*.mjs'],
};

// plan.ts comes from the guide; these three sit beside it.
const plans: Record<string, string> = {
  'plan-mts.mts': `import { definePlan } from 'waddle-fleet';
import { hello } from './hello.ts';
import { tinyChatWs } from './tiny-chat-ws.ts';

export default definePlan({
  name: 'tiny-chat-mts',
  drivers: [tinyChatWs],
  journeys: [hello],
  phases: [{ name: 'chat', targetUsers: 2, rampUp: '1s', duration: '10s', scenarios: [{ journey: 'hello', driver: 'tinyChatWs', users: 2, params: { messages: 3 } }] }],
});
`,
  'thresholds.js': `/** @type {import('waddle-fleet').Plan['thresholds']} */
export const thresholds = { 'chat.delivery_ms{driver:tinyChat}': ['p(95)<2000'] };
`,
  'plan-js.js': `// A plan in plain JavaScript, checked through JSDoc.
import { definePlan } from 'waddle-fleet';
import { hello } from './hello.ts';
import { tinyChatBrowser } from './tiny-chat-browser.ts';
import { thresholds } from './thresholds.js';

/** @type {import('waddle-fleet').Phase} */
const chat = { name: 'chat', targetUsers: 3, rampUp: '3s', duration: '20s', scenarios: [{ journey: 'hello', driver: 'tinyChat', users: 3 }] };

export default definePlan({ name: 'tiny-chat-js', drivers: [tinyChatBrowser], journeys: [hello], phases: [chat], thresholds });
`,
  // a plan's own metric: declared in its metrics, recorded by its journey (a name outside the catalogue and custom.* is a type error)
  'plan-metrics.ts': `import { definePlan, defineJourney, connectAndJoin } from 'waddle-fleet';

const timed = defineJourney({
  name: 'timed',
  requires: ['chat'],
  async run(ctx) {
    await connectAndJoin(ctx);
    const started = performance.now();
    await ctx.step('say', () => ctx.client.sendMessage('hi'));
    ctx.metrics.record('custom.say_ms', performance.now() - started, { room: 'main' });
  },
});

export default definePlan({
  name: 'tiny-chat-metrics',
  journeys: [timed],
  metrics: { 'custom.say_ms': { kind: 'trend', unit: 'ms', tags: ['room'], meaning: 'from typing to the ack' } },
  thresholds: { 'custom.say_ms': ['p(95)<2000'] },
  phases: [{ name: 'chat', targetUsers: 1, rampUp: '0s', duration: '5s', scenarios: [{ journey: 'timed', driver: 'protocol', users: 1 }] }],
});
`,
  'plan-mjs.mjs': `import { definePlan, chatMessaging } from 'waddle-fleet';
import { tinyChatBrowser } from './tiny-chat-browser.ts';
import { thresholds } from './thresholds.js';

export const plan = definePlan({
  name: 'tiny-chat-mjs',
  drivers: [tinyChatBrowser],
  thresholds: { ...thresholds, 'chat.messages_sent': ['count>0'] },
  phases: [{ name: 'chat', targetUsers: 2, rampUp: '2s', duration: '20s', scenarios: [{ journey: chatMessaging.name, driver: 'tinyChat', users: 2 }] }],
});
`,
};

/** One deliberate type error per plan file: [file, text to replace, replacement]. */
const typeErrors: readonly [string, string, string][] = [
  ['plan.ts', "targetUsers: 7,", "targetUsers: 'seven',"],
  ['plan-mts.mts', 'params: { messages: 3 }', "params: { messages: 3 }, weight: 'most'"],
  ['plan-js.js', "rampUp: '3s'", 'rampUp: 3'],
  ['plan-mjs.mjs', "'chat.messages_sent': ['count>0']", "'chat.messages_sent': 'count>0'"],
  ['plan-metrics.ts', "record('custom.say_ms'", "record('say_ms'"],
];

let dir: string;
let project: string;

beforeAll(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-user-types-'));
  project = join(dir, 'my-load-tests');
  await mkdir(join(project, 'node_modules', 'waddle-fleet'), { recursive: true });
  // `npm pack` runs `prepare` (build:types), as `npm ci` and a git install do; packed once per test
  // run, shared with release-gate-install.parallel.e2e.test.ts
  const tarball = await packedTarball();
  await run('tar', ['-xzf', tarball, '-C', join(project, 'node_modules', 'waddle-fleet'), '--strip-components=1']);
  // waddle-fleet's dependencies its declarations name, and what the user installs for the guide
  await linkPackages(project, ['playwright-core', 'zod', 'ws', '@types/node', '@types/ws']);
  await writeFile(join(project, 'package.json'), JSON.stringify(packageJson, null, 2));
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  await writeGuideFiles(project);
  for (const [name, body] of Object.entries(plans)) await writeFile(join(project, name), body);
}, 240_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function typeCheck(folder: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(tsc, ['-p', join(folder, 'tsconfig.json'), '--pretty', 'false'], { cwd: folder, timeout: 120_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('plan files outside the repo', () => {
  it('the tarball ships declarations behind the "types" condition, and tsc reads them, not the .ts sources', async () => {
    const installed = JSON.parse(await readFile(join(project, 'node_modules', 'waddle-fleet', 'package.json'), 'utf8')) as { exports: Record<string, { types?: string }> };
    expect(installed.exports['.']?.types).toBe('./dist/types/index.d.ts');
    const { stdout } = await run(tsc, ['-p', join(project, 'tsconfig.json'), '--listFilesOnly'], { cwd: project, timeout: 120_000 });
    const fromPackage = stdout.split('\n').filter((f) => f.includes('/node_modules/waddle-fleet/'));
    expect(fromPackage).toContain(join(project, 'node_modules/waddle-fleet/dist/types/index.d.ts'));
    expect(fromPackage.filter((f) => !f.endsWith('.d.ts'))).toEqual([]);
  }, 120_000);

  it('type-check with the real tsc and no path mappings: .ts, .mts, .js (JSDoc) and .mjs, with sibling imports', async () => {
    const files = (await readdir(project)).filter((f) => /\.(m?ts|m?js)$/.test(f)).sort();
    expect(files).toEqual(['hello.ts', 'plan-js.js', 'plan-metrics.ts', 'plan-mjs.mjs', 'plan-mts.mts', 'plan.ts', 'thresholds.js', 'tiny-chat-browser.ts', 'tiny-chat-client.ts', 'tiny-chat-ws.ts']);
    const { code, output } = await typeCheck(project);
    expect(output).toBe('');
    expect(code).toBe(0);
  }, 120_000);

  it('report a type error in each kind of plan file, by file and line', async () => {
    const broken = join(dir, 'broken');
    await cp(project, broken, { recursive: true, verbatimSymlinks: true });
    for (const [file, from, to] of typeErrors) {
      const path = join(broken, file);
      const body = await readFile(path, 'utf8');
      expect(body, `${file} holds ${from}`).toContain(from);
      await writeFile(path, body.replace(from, to));
    }
    const { code, output } = await typeCheck(broken);
    expect(code).toBe(2);
    for (const [file] of typeErrors) expect(output).toMatch(new RegExp(`^${file.replace('.', '\\.')}\\(\\d+,\\d+\\): error TS\\d+`, 'm'));
  }, 120_000);

  it('load through the real command: each plan and its sibling files, in a folder without "type": "module"', async () => {
    for (const [file, scenario] of [
      ['plan.ts', 'hello (tinyChat)'],
      ['plan-mts.mts', 'hello (tinyChatWs)'],
      ['plan-js.js', 'hello (tinyChat)'],
      ['plan-mjs.mjs', 'chatMessaging (tinyChat)'],
      ['plan-metrics.ts', 'timed (protocol)'],
    ] as const) {
      const r = await runCli(['run', `./${file}`, '--dry-run'], { cwd: project });
      expect(r.stderr, file).toBe('');
      expect(r.code, file).toBe(0);
      expect(r.stdout, file).toContain(scenario);
    }
  }, 120_000);

  it('a .js plan that parses as CommonJS (module.exports) still loads as CommonJS', async () => {
    await mkdir(join(dir, 'legacy'));
    await writeFile(
      join(dir, 'legacy', 'plan.js'),
      `const users = 1; // module.exports: CommonJS, as Node takes a .js file outside a module package
module.exports = { name: 'legacy', phases: [{ name: 'p', targetUsers: users, rampUp: '0s', duration: '5s', scenarios: [{ journey: 'chatMessaging', users }] }] };
`,
    );
    const r = await runCli(['run', './legacy/plan.js', '--dry-run'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('plan legacy');
  });
});
