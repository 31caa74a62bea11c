// Node side: bundles the in-page host guard (in-page/network-guard-install.ts) with esbuild into
// one IIFE for context.addInitScript, prefixed with its config.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { GUARD_CONFIG_GLOBAL, type GuardConfig } from '../../in-page/guard-protocol.ts';

let bundled: Promise<string> | undefined;

function guardBundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [fileURLToPath(new URL('../../in-page/network-guard-install.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    write: false,
    logLevel: 'silent',
  }).then((r) => {
    const out = r.outputFiles[0];
    if (!out) throw new Error('fleet/guard-init-script.ts: esbuild produced no output for in-page/network-guard-install.ts');
    return out.text;
  });
  bundled.catch(() => (bundled = undefined));
  return bundled;
}

/** The init script: config first, then the guard. */
export async function guardInitScript(config: GuardConfig): Promise<string> {
  return `globalThis[${JSON.stringify(GUARD_CONFIG_GLOBAL)}] = ${JSON.stringify(config)};\n${await guardBundle()}`;
}
