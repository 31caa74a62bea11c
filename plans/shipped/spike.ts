// spike (seed #57 TEST_PLANS.spike): 1,000 mixed → 8,000 in 30 s (4,000 voice + 4,000 chat) →
// back to 1,000 mixed. Success criteria: error rate 0.1; recovery within 2 minutes (the
// recovery criterion is read from the per-interval report, it is not a threshold expression).
import { definePlan } from '../define-plan.ts';

export const spike = definePlan({
  name: 'spike',
  description: 'Spike Test: system response to a sudden traffic spike',
  phases: [
    { name: 'Normal Load', targetUsers: 1000, rampUp: '1m', duration: '5m', scenarios: [{ journey: 'mixedUsage', users: 1000 }] },
    {
      name: 'Spike',
      targetUsers: 8000,
      rampUp: '30s',
      duration: '5m',
      scenarios: [
        { journey: 'voiceCall', users: 4000 },
        { journey: 'chatMessaging', users: 4000 },
      ],
    },
    { name: 'Recovery', targetUsers: 1000, rampUp: '1m', duration: '5m', scenarios: [{ journey: 'mixedUsage', users: 1000 }] },
  ],
  thresholds: {
    'journey.errors': ['rate<0.1'],
  },
});
