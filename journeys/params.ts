// A journey's params: the plan's overrides merged over the journey's defaults, objects one level deep
// (plans/README.md "Params"), so `sizeRange: { max: 50 }` keeps the default min.

const isPlain = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergeParams(defaults: unknown, overrides: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown> | undefined) };
  for (const [key, value] of Object.entries(overrides)) {
    const base = merged[key];
    merged[key] = isPlain(base) && isPlain(value) ? { ...base, ...value } : value;
  }
  return merged;
}
