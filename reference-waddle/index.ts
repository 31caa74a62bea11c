// Public surface of the reference Waddle.
export { startReferenceWaddle, type ReferenceWaddle } from './server.ts';
export type { ReferenceWaddleOptions } from './options.ts';
export type * from './protocol.ts';
