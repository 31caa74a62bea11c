// soak: steady mixed load for hours, to find leaks (target memory, generator memory slope) and
// slow degradation. 200 users: shard or scale it to what the generators hold.
import { definePlan } from '../define-plan.ts';

export const soak = definePlan({
  name: 'soak',
  description: 'Soak: 200 mixed users for 2 hours',
  phases: [
    {
      name: 'Soak',
      targetUsers: 200,
      rampUp: '5m',
      duration: '2h',
      scenarios: [
        { journey: 'mixedUsage', weight: 6 },
        { journey: 'chatMessaging', weight: 3 },
        { journey: 'voiceCall', weight: 1 },
      ],
    },
  ],
  thresholds: {
    'journey.errors': ['rate<0.01'],
    'step.duration_ms': ['p(99)<2000'],
    'chat.delivery_ms': ['p(95)<1000'],
  },
});
