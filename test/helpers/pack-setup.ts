// vitest globalSetup (vitest.config.ts, group 0's projects): one folder per test run for the
// packed waddle-fleet tarball that test/helpers/packed-tarball.ts makes once and shares. Two
// files pack it (user-plan-types, release-gate-install); each packing its own ran `npm pack` —
// and its `prepare`, which builds dist/types — twice at once on 2 cores, both writing dist/types.
// Both projects run this file; the first makes the folder and the one that made it removes it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

const KEY = 'WADDLE_FLEET_TEST_PACK_DIR';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const made = process.env[KEY] === undefined;
  if (made) process.env[KEY] = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-pack-'));
  project.provide('packDir', process.env[KEY]!);
  if (!made) return undefined;
  return async () => {
    await rm(process.env[KEY]!, { recursive: true, force: true });
    delete process.env[KEY];
  };
}
