// Node module resolve hook for user plan and journey files, which live anywhere on disk:
// - 'waddle-fleet' resolves to this package, so a plan can import it without installing it next
//   to the file;
// - a .ts/.tsx file outside any "type": "module" package is loaded as an ES module. Without a
//   package.json tsx calls such a file CommonJS, and Node then fails on its `import`s with
//   "Cannot require() ES Module ... in a cycle". Plans are ESM by contract (see plans/README.md);
//   a CommonJS plan can still be written as .cts.
const self = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  // tsx (next in the chain) resolves our own entry too, so it knows to transpile it.
  const resolved = await nextResolve(specifier === 'waddle-fleet' ? self : specifier, context);
  if (resolved.format === 'commonjs' && /^file:.*\.tsx?$/.test(resolved.url) && !resolved.url.includes('/node_modules/')) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}
