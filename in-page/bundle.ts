// Node side: bundles an in-page script (the WebRTC probe, the network guard) with esbuild into one
// IIFE string for context.addInitScript, prefixed with its config. Not part of the page bundle.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { PROBE_CONFIG_GLOBAL, type ProbeConfig } from './probe-protocol.ts';

const bundles = new Map<string, Promise<string>>();

/** An in-page entry file (in this folder) as script text, built once per process. */
function pageBundle(entry: string): Promise<string> {
  let bundled = bundles.get(entry);
  if (bundled) return bundled;
  bundled = build({
    entryPoints: [fileURLToPath(new URL(`./${entry}`, import.meta.url))],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    write: false,
    logLevel: 'silent',
  }).then((r) => {
    const out = r.outputFiles[0];
    if (!out) throw new Error(`in-page/bundle.ts: esbuild produced no output for in-page/${entry}`);
    return out.text;
  });
  bundles.set(entry, bundled);
  bundled.catch(() => bundles.delete(entry)); // a failed build is retried next time
  return bundled;
}

/** A bundle behind its config: `globalThis[configGlobal] = config`, then the script that reads it. */
export async function initScript(entry: string, configGlobal: string, config: unknown): Promise<string> {
  return `globalThis[${JSON.stringify(configGlobal)}] = ${JSON.stringify(config)};\n${await pageBundle(entry)}`;
}

/** The init script: config first, then the probe. */
export function probeInitScript(config: ProbeConfig): Promise<string> {
  return initScript('webrtc-probe.ts', PROBE_CONFIG_GLOBAL, config);
}
