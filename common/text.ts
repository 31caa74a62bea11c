// Small text helpers shared by every folder.

/** camelCase → kebab-case: `contextsPerBrowser` → `contexts-per-browser` (flags, file names). */
export function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
