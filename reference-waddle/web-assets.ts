// The web client: reference-waddle/web/*.ts bundled with esbuild once per process (cached;
// every server started in the same process shares the bundle) and an inline HTML shell.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('./web/', import.meta.url));
let bundle: Promise<string> | undefined;

export function webBundle(): Promise<string> {
  bundle ??= build({
    entryPoints: [`${webDir}main.ts`],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'chrome120',
    sourcemap: 'inline',
    logLevel: 'silent',
  }).then((result) => {
    const file = result.outputFiles[0];
    if (!file) throw new Error('reference-waddle: esbuild produced no output for web/main.ts');
    return file.text;
  });
  // a failed build is not cached: fix the file and the next request retries
  bundle.catch(() => {
    bundle = undefined;
  });
  return bundle;
}

let html: Promise<string> | undefined;
export function indexHtml(): Promise<string> {
  html ??= readFile(`${webDir}index.html`, 'utf8');
  return html;
}
