// defineJourney: identity with types, so a user's journey file gets checking and completion
// (`export default defineJourney({ name, defaults, run })`) without importing any class.
import type { Journey } from './types.ts';

export function defineJourney<P extends Record<string, unknown> = Record<string, unknown>>(journey: Journey<P>): Journey<P> {
  return journey;
}
