// Builds loopback-only.c (an LD_PRELOAD shim: Janus's ICE on 127.0.0.1 only; the .c file says
// why) once per content into the temp folder, with the system C compiler (Debian: gcc, from
// build-essential; scripts/setup.sh installs it with janus).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SOURCE = fileURLToPath(new URL('./loopback-only.c', import.meta.url));
let built: Promise<string> | undefined;

/** Path of the compiled shim (cached by the source's hash). */
export function loopbackShim(): Promise<string> {
  built ??= (async () => {
    const source = await readFile(SOURCE);
    const hash = createHash('sha256').update(source).digest('hex').slice(0, 16);
    const target = join(tmpdir(), `reference-waddle-janus-loopback-${hash}.so`);
    if (existsSync(target)) return target;
    const partial = `${target}.${process.pid}.partial`;
    try {
      await run('cc', ['-shared', '-fPIC', '-O2', '-o', partial, SOURCE, '-ldl']);
    } catch (error) {
      throw new Error(`--media sfu: could not build the loopback shim for Janus from ${SOURCE} with cc (${(error as Error).message.split('\n')[0]}); install a C compiler ("apt-get install gcc", scripts/setup.sh does) or use --media mesh`, { cause: error });
    }
    await rename(partial, target); // atomic: a concurrent start sees the whole file or none
    return target;
  })();
  built.catch(() => (built = undefined));
  return built;
}
