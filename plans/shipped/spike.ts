// spike (seed #57 TEST_PLANS.spike): 1,000 mixed → 8,000 in 30 s (4,000 voice + 4,000 chat) →
// back to 1,000 mixed. Hybrid: protocol users make the load, 8 browser users measure it.
// Success criteria: error rate 0.1 over the run; recovery within 2 minutes.
// The seed's 5-minute Recovery phase is split so that "recovered within 2 minutes" is a threshold:
// 'Recovery' is the 2 minutes after the spike (1 m ramp down + 1 m), 'Recovered' the 3 minutes
// after that, where errors and latency must be back to normal-load levels ({phase:...} filters).
import { definePlan } from '../define-plan.ts';

export const spike = definePlan({
  name: 'spike',
  description: 'Spike Test: system response to a sudden traffic spike, recovered within 2 minutes (protocol users + 8 browser users)',
  browserSample: { share: 0.001, min: 8 },
  media: { camera: { width: 640, height: 360, fps: 15 } },
  phases: [
    { name: 'Normal Load', targetUsers: 1000, rampUp: '1m', duration: '5m', scenarios: [{ journey: 'mixedUsage', driver: 'protocol', users: 1000, params: { channelSize: 10 } }] },
    {
      name: 'Spike',
      targetUsers: 8000,
      rampUp: '30s',
      duration: '5m',
      scenarios: [
        { journey: 'voiceCall', driver: 'protocol', users: 4000 },
        { journey: 'chatMessaging', driver: 'protocol', users: 4000, params: { channelSize: 10 } },
      ],
    },
    { name: 'Recovery', targetUsers: 1000, rampUp: '1m', duration: '1m', scenarios: [{ journey: 'mixedUsage', driver: 'protocol', users: 1000, params: { channelSize: 10 } }] },
    { name: 'Recovered', targetUsers: 1000, rampUp: '0s', duration: '3m', scenarios: [{ journey: 'mixedUsage', driver: 'protocol', users: 1000, params: { channelSize: 10 } }] },
  ],
  thresholds: {
    'journey.errors': ['rate<0.1'],
    // recovered: 2 minutes after the spike, back to what a healthy service does at normal load
    'journey.errors{phase:Recovered}': ['rate<0.01'],
    'step.duration_ms{phase:Recovered}': ['p(95)<5000'],
    'chat.delivery_ms{phase:Recovered}': ['p(95)<1000'],
  },
});
