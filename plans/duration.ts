// Durations in plans are strings with a unit ('500ms', '30s', '5m', '2h', or combined '1m30s'),
// never bare numbers: a bare 30 could be ms or s, and that ambiguity is how tests run 1000x too long.

const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const partPattern = /(\d+(?:\.\d+)?)(ms|s|m|h)/y;

/** Parse '30s' → 30000. Returns undefined for anything that is not a non-negative finite duration. */
export function tryParseDurationMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  let total = 0;
  partPattern.lastIndex = 0;
  let position = 0;
  while (position < trimmed.length) {
    partPattern.lastIndex = position;
    const match = partPattern.exec(trimmed);
    if (!match) return undefined;
    total += Number(match[1]) * unitMs[match[2]!]!;
    position = partPattern.lastIndex;
  }
  return Number.isFinite(total) ? Math.round(total) : undefined;
}

/** Parse '30s' → 30000, or throw an Error saying what was expected and what was got. */
export function parseDurationMs(text: string, where = 'duration'): number {
  const ms = tryParseDurationMs(text);
  if (ms === undefined) {
    throw new Error(`${where}: expected a duration like '500ms', '30s', '5m', '2h' or '1m30s', got ${JSON.stringify(text)}`);
  }
  return ms;
}

/** 90000 → '1m30s'; for printing plans. */
export function formatDurationMs(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return `${ms}ms`;
  if (ms === 0) return '0s';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    const whole = Math.floor(rest / size);
    if (whole > 0) {
      text += `${whole}${unit}`;
      rest -= whole * size;
    }
  }
  if (rest > 0) text += `${rest}ms`;
  return text;
}
