// What the waddle-fleet process does before the command runs (called by bin/waddle-fleet.mjs):
//   1. every write to stdout/stderr is redacted of the secrets in its arguments and environment;
//   2. temp files go to a private root named after this process (fleet/private-temp-root.ts), so
//      what a hard kill leaves is recognisably ours and the next start removes it;
//   3. if the wrapper that started us (npx, npm run, sh -c) goes away, we stop as on SIGTERM
//      (fleet/parent-watch.ts).
import { redactCommandOutput } from '../../common/redact-output.ts';
import { watchParent } from './parent-watch.ts';
import { enterPrivateTempRoot } from './private-temp-root.ts';

export function setUpFleetProcess(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  redactCommandOutput(argv, env);
  enterPrivateTempRoot();
  watchParent();
}
