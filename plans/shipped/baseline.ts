// baseline (seed #57 TEST_PLANS.baseline): 100 mixed users, ramp 1 min, hold 5 min.
// Success criteria: maxErrorRate 0.01, maxLatencyP99 1000 ms.
import { definePlan } from '../define-plan.ts';

export const baseline = definePlan({
  name: 'baseline',
  description: 'Baseline Performance: establish baseline metrics with light load',
  phases: [{ name: 'Warm-up', targetUsers: 100, rampUp: '1m', duration: '5m', scenarios: [{ journey: 'mixedUsage', users: 100 }] }],
  thresholds: {
    'journey.errors': ['rate<0.01'],
    'step.duration_ms': ['p(99)<1000'],
  },
});
