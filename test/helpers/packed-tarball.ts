// The waddle-fleet tarball as `npm pack` makes it (its `prepare` builds the declarations), packed
// once per test run and shared by the files that install it. The first caller in any worker takes
// a lock folder and packs; the others wait for its answer. The folder is the test run's own
// (test/helpers/run-setup.ts, vitest globalSetup), removed at the end of the run.
import { execFile } from 'node:child_process';
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { repoRoot } from './cli.ts';

const run = promisify(execFile);
/** written whole, then renamed: a waiting reader never sees half of it */
const answerWith = async (answer: string, value: object) => {
  await writeFile(`${answer}.tmp`, JSON.stringify(value));
  await rename(`${answer}.tmp`, answer);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The path of the packed .tgz (read-only: extract or install it, never change it). */
export async function packedTarball(timeoutMs = 180_000): Promise<string> {
  const dir = join(inject('testRunDir'), 'pack');
  await mkdir(dir, { recursive: true });
  const answer = join(dir, 'answer.json');
  try {
    await mkdir(join(dir, 'lock'));
  } catch {
    // another file packs: wait for what it wrote (a path, or why it failed)
    const deadline = Date.now() + timeoutMs + 30_000;
    for (;;) {
      const text = await readFile(answer, 'utf8').catch(() => undefined);
      if (text !== undefined) {
        const got = JSON.parse(text) as { tarball?: string; error?: string };
        if (got.tarball) return got.tarball;
        throw new Error(`npm pack failed in another test file: ${got.error}`);
      }
      if (Date.now() > deadline) throw new Error(`npm pack: no tarball in ${dir} after ${timeoutMs + 30_000} ms`);
      await sleep(250);
    }
  }
  const out = join(dir, 'out');
  await mkdir(out);
  try {
    await run('npm', ['pack', '--pack-destination', out], { cwd: repoRoot, timeout: timeoutMs });
    const tarball = join(out, (await readdir(out)).find((f) => f.endsWith('.tgz'))!);
    await answerWith(answer, { tarball });
    return tarball;
  } catch (error) {
    await answerWith(answer, { error: String(error) });
    throw error;
  }
}
