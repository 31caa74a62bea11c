// Node module resolve hook: 'waddle-fleet' (and 'waddle-fleet/...') resolve to this package,
// so a user's plan file anywhere on disk can import it without installing it next to the file.
const self = new URL('../index.ts', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'waddle-fleet') return { url: self, shortCircuit: true };
  return nextResolve(specifier, context);
}
