// Networks through the real command, refused before any load: a mechanism that is not available
// and a network that does not exist (exit 2, saying why), and the dry run of one that does. Moved
// out of network-cli.e2e.test.ts: dry runs start no browser and judge no figure, so they run in the
// parallel group. (network-cli keeps its protocol-user case: its 130–200 ms band on a delivery p50
// read 215 ms beside other files at load average 25.)
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-network-refusals-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

it('refuses before any load a mechanism that is not available and a network that does not exist (exit 2, saying why)', async () => {
  const kernel = await runCli(['run', 'smoke', '--dry-run', '--network-mechanism', 'kernel'], { cwd: dir });
  expect(kernel.code).toBe(2);
  expect(kernel.stderr + kernel.stdout).toMatch(/--network-mechanism kernel: not available: .*netem.*use --network-mechanism relay/);
  const typo = await runCli(['run', 'smoke', '--dry-run', '--network', '3G'], { cwd: dir });
  expect(typo.code).toBe(2);
  expect(typo.stderr + typo.stdout).toContain("--network: unknown network '3G'; did you mean '3g'?");
  const dry = await runCli(['run', 'smoke', '--dry-run', '--network', 'congested'], { cwd: dir });
  expect(dry.code).toBe(0);
  expect(dry.stdout).toMatch(/networks \(mechanism: .*TURN relay/);
  expect(dry.stdout).toMatch(/congested: up 500 kbit\/s.* — 8 users \(8 browser\)/);
  expect(dry.stdout).toMatch(/relay: 8 browser users through it/);
});
