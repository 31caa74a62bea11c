// uPlot's dist JS and CSS, read from node_modules and inlined, so report.html needs no network.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

let cached: { js: string; css: string } | undefined;

export function uplotAssets(): { js: string; css: string } {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let dist: string;
  try {
    dist = join(dirname(require.resolve('uplot/package.json')), 'dist');
  } catch (error) {
    throw new Error(`The report needs the 'uplot' package (its dist files are inlined into report.html). Run 'npm ci' in the waddle-fleet folder.`, { cause: error });
  }
  cached = { js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'), css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8') };
  return cached;
}
