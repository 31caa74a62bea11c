// baseline (seed #57 TEST_PLANS.baseline): 100 mixed users, ramp 1 min, hold 5 min. Hybrid: the
// users speak Waddle's protocol, and 8 of them run in real browsers to measure what users feel.
// Success criteria: maxErrorRate 0.01, maxLatencyP99 1000 ms.
import { definePlan } from '../define-plan.ts';

export const baseline = definePlan({
  name: 'baseline',
  description: 'Baseline Performance: establish baseline metrics with light load (protocol users + 8 browser users)',
  browserSample: { share: 0.08, min: 8 },
  phases: [{ name: 'Warm-up', targetUsers: 100, rampUp: '1m', duration: '5m', scenarios: [{ journey: 'mixedUsage', driver: 'protocol', users: 100, params: { channelSize: 10 } }] }],
  media: { camera: { width: 640, height: 360, fps: 15 } },
  thresholds: {
    'journey.errors': ['rate<0.01'],
    'step.duration_ms': ['p(99)<1000'],
  },
});
