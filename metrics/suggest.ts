// "Did you mean …?" for metric names and tags: the one rule of common/suggest.ts, defaulting to the catalogue.
import { didYouMean as suggest } from '../common/suggest.ts';
import { catalogue } from './catalogue.ts';

export function didYouMean(name: string, candidates: readonly string[] = Object.keys(catalogue)): string {
  return suggest(name, candidates);
}
