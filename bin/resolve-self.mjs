// Node module resolve hook for user plan, journey and driver files, which live anywhere on disk:
// - 'waddle-fleet' resolves to this package, so a plan can import it without installing it next
//   to the file;
// - a user's .ts/.tsx file outside any "type": "module" package is loaded as an ES module, and so
//   is a .js file there that does not parse as CommonJS (it uses import/export). Without a
//   package.json Node (and tsx) call such a file CommonJS, and loading it fails on its `import`s
//   with "Cannot require() ES Module ... in a cycle". Plans are ESM by contract (plans/README.md);
//   a .js file that parses as CommonJS (require/module.exports) stays CommonJS, as do .cjs/.cts.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileFunction } from 'node:vm';

const self = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  // tsx (next in the chain) resolves our own entry too, so it knows to transpile it.
  const resolved = await nextResolve(specifier === 'waddle-fleet' ? self : specifier, context);
  if (resolved.format !== 'commonjs' || !resolved.url.startsWith('file:') || resolved.url.includes('/node_modules/')) return resolved;
  // tsx marks a CommonJS file imported from a module with queries, some inside the path
  // (file:///x/a.ts%3Ftsx-commonjs-export-preparse=1?tsx-…): the file is what ends in its extension.
  const file = /^file:[^?#]*?\.(tsx?|js)(?=%3F|\?|#|$)/i.exec(resolved.url);
  if (file && (file[1] !== 'js' || usesModuleSyntax(file[0]))) return { ...resolved, url: file[0], format: 'module' };
  return resolved;
}

const moduleSyntaxByUrl = new Map();

/** Whether a .js file fails to parse as a CommonJS module body (import/export, import.meta, top-level await). */
export function usesModuleSyntax(url) {
  let known = moduleSyntaxByUrl.get(url);
  if (known === undefined) {
    known = !parsesAsCommonJs(url);
    moduleSyntaxByUrl.set(url, known);
  }
  return known;
}

function parsesAsCommonJs(url) {
  let source;
  try {
    source = readFileSync(fileURLToPath(url), 'utf8');
  } catch {
    return true; // unreadable: leave it to the loader, which says why
  }
  // A hashbang is valid only at the very start of a script or module, not inside a function body.
  const body = source.replace(/^\uFEFF?#![^\n]*/, '');
  try {
    // Parses only (the function is never called), with the wrapper's parameters CommonJS gives.
    compileFunction(body, ['exports', 'require', 'module', '__filename', '__dirname']);
    return true;
  } catch (error) {
    // Any syntax error: load it as a module; if it is simply broken, the module loader reports
    // the error with its file and line.
    return error?.name !== 'SyntaxError';
  }
}
