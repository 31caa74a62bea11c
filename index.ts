// What a user's own plan and journey files import: `import { definePlan, defineJourney } from 'waddle-fleet'`.
export { definePlan } from './plans/define-plan.ts';
export { defineJourney } from './journeys/define-journey.ts';
export type { Plan } from './plans/schema.ts';
export type { Journey, JourneyContext, BehaviourProfile, StepOptions } from './journeys/types.ts';
export type { WaddleClient, WaddleInfo, SentMessage, ReceivedMessage } from './clients/waddle-client.ts';
export type { RunSummary, Verdict } from './metrics/run-summary.ts';
export { catalogue } from './metrics/catalogue.ts';
