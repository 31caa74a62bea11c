// vitest globalSetup (vitest.config.ts, group 0's projects): one folder per test run, shared by
// the files of that run through inject('testRunDir'), removed at its end. It holds:
// - the packed waddle-fleet tarball (test/helpers/packed-tarball.ts), made once and shared: two
//   files install it (user-plan-types, release-gate-install), and each packing its own ran
//   `npm pack` — and its `prepare`, which builds dist/types — twice at once, both writing dist/types;
// - the lock of the one heavy lane beside group 0 (test/helpers/beside-lane.ts).
// Every project of group 0 runs this file; the first makes the folder, the one that made it removes it.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    testRunDir: string;
  }
}

const KEY = 'WADDLE_FLEET_TEST_RUN_DIR';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const made = process.env[KEY] === undefined;
  if (made) process.env[KEY] = await mkdtemp(join(os.tmpdir(), 'waddle-fleet-test-run-'));
  project.provide('testRunDir', process.env[KEY]!);
  if (!made) return undefined;
  return async () => {
    await rm(process.env[KEY]!, { recursive: true, force: true });
    delete process.env[KEY];
  };
}
