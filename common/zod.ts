// zod, loaded through require: its ES build is ~95 modules, and each module the command imports
// goes through tsx's loader hooks on their own thread (~0.2 CPU-s at every start); its CommonJS
// build loads in-thread. Types come from 'zod' itself (`import type { z as Z } from 'zod'`).
import { createRequire } from 'node:module';
import type * as zod from 'zod';

export const z = (createRequire(import.meta.url)('zod') as typeof zod).z;
