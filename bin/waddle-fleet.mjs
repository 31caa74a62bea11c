#!/usr/bin/env node
// The waddle-fleet command. Sources are TypeScript run through tsx (no build step), and user
// plan/journey files outside this repo may `import { definePlan } from 'waddle-fleet'`:
// a resolve hook maps that specifier to this package even when it is not in their node_modules.
import './register-hooks.mjs';
// The process around the command (fleet/process-setup.ts): no secret reaches stdout/stderr, temp
// files go to a folder named after this process, and a run whose wrapper (npx, npm run) is gone
// stops. After tsx registered, so its compile cache stays in the system temp dir.
const { setUpFleetProcess } = await import('../fleet/lifecycle/process-setup.ts');
setUpFleetProcess(process.argv.slice(2));
const { main } = await import('../cli/main.ts');
await main(process.argv.slice(2));
