// The module hooks every fleet thread needs: TypeScript through tsx, and 'waddle-fleet' resolving
// to this package for user plan files anywhere on disk (./resolve-self.mjs). The command imports it
// first; protocol worker threads get it as `--import` (fleet/workers/protocol-workers.ts).
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
register('./resolve-self.mjs', import.meta.url);
