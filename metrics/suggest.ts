// "Did you mean …?" for misspelled metric names and tag keys (error messages say how to fix).
import { catalogue } from './catalogue.ts';

export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j] as number;
      prev[j] = Math.min(up + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length] as number;
}

/** the closest candidate, or undefined when nothing is reasonably close */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  // allow roughly a third of the name to differ, and always a prefix/suffix match
  if (best !== undefined && (bestD <= Math.max(2, Math.ceil(name.length / 3)) || best.startsWith(name) || name.startsWith(best))) return best;
  return undefined;
}

export function didYouMean(name: string, candidates: readonly string[] = Object.keys(catalogue)): string {
  const n = nearest(name, candidates);
  return n === undefined ? '' : ` Did you mean "${n}"?`;
}
