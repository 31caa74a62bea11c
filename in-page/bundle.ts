// Node side: bundles the in-page probe with esbuild into one IIFE string for
// context.addInitScript, prefixed with its config. Not part of the page bundle.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { PROBE_CONFIG_GLOBAL, type ProbeConfig } from './probe-protocol.ts';

let bundled: Promise<string> | undefined;

/** The probe bundle as script text (built once per process). */
export function probeBundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [fileURLToPath(new URL('./webrtc-probe.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    write: false,
    logLevel: 'silent',
  }).then((r) => {
    const out = r.outputFiles[0];
    if (!out) throw new Error('in-page/bundle.ts: esbuild produced no output for webrtc-probe.ts');
    return out.text;
  });
  bundled.catch(() => (bundled = undefined));
  return bundled;
}

/** The init script: config first, then the probe. */
export async function probeInitScript(config: ProbeConfig): Promise<string> {
  return `globalThis[${JSON.stringify(PROBE_CONFIG_GLOBAL)}] = ${JSON.stringify(config)};\n${await probeBundle()}`;
}
