// "Did you mean …?" for every misspelled name (plan keys, journeys, drivers, params, metrics,
// tags, phases, commands, flags): one rule, so every message suggests alike.

export function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

/**
 * The known name closest to a misspelling, case-insensitively, when it is close enough: at most
 * max(2, a third of the name) edits away, or one is a prefix of the other. Undefined otherwise.
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined || lower === '') return undefined;
  const close = bestDistance <= Math.max(2, Math.ceil(name.length / 3));
  const prefix = best.toLowerCase().startsWith(lower) || lower.startsWith(best.toLowerCase());
  return close || prefix ? best : undefined;
}

/** ` Did you mean "x"?` or '' (for sentences that go on after it). */
export function didYouMean(name: string, known: readonly string[]): string {
  const n = closestName(name, known);
  return n === undefined ? '' : ` Did you mean "${n}"?`;
}

/** `did you mean 'x'? ` or '' (for messages of the form "...; did you mean 'x'? known: ..."). */
export function didYouMeanQuoted(name: string, known: readonly string[]): string {
  const n = closestName(name, known);
  return n === undefined ? '' : `did you mean '${n}'? `;
}
