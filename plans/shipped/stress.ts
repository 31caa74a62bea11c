// stress (seed #57 TEST_PLANS.stress): 1,000 → 5,000 → 10,000 users with the seed's exact mix.
// Needs --shard over many machines (or --scale 0.01 on one). Success criteria: error rate 0.05,
// p99 5000 ms, chat throughput 100K messages/min. The seed's 1M voice packets/min has no metric
// in metrics/catalogue.ts yet (RTP packet counts are not recorded), so it is not a threshold here.
import { definePlan } from '../define-plan.ts';

export const stress = definePlan({
  name: 'stress',
  description: '10K User Stress Test: test system limits with 10,000 concurrent users',
  phases: [
    {
      name: 'Ramp-up',
      targetUsers: 1000,
      rampUp: '5m',
      duration: '10m',
      scenarios: [
        { journey: 'voiceCall', users: 300 },
        { journey: 'videoCall', users: 200 },
        { journey: 'chatMessaging', users: 400 },
        { journey: 'fileUpload', users: 100 },
      ],
    },
    {
      name: 'Sustained Load',
      targetUsers: 5000,
      rampUp: '10m',
      duration: '30m',
      scenarios: [
        { journey: 'voiceCall', users: 1500 },
        { journey: 'videoCall', users: 1000 },
        { journey: 'screenShare', users: 500 },
        { journey: 'chatMessaging', users: 1500 },
        { journey: 'fileUpload', users: 500 },
      ],
    },
    {
      name: 'Peak Load',
      targetUsers: 10000,
      rampUp: '10m',
      duration: '30m',
      scenarios: [
        { journey: 'voiceCall', users: 3000 },
        { journey: 'videoCall', users: 2000 },
        { journey: 'screenShare', users: 1000 },
        { journey: 'chatMessaging', users: 3000 },
        { journey: 'fileUpload', users: 1000 },
      ],
    },
  ],
  limits: { maxUsers: 10000 },
  thresholds: {
    'journey.errors': [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '5m' }],
    'step.duration_ms': ['p(99)<5000'],
    // the seed's minimum throughput at peak: 100K messages/min and 1M voice packets/min, over the
    // Peak Load phase (10 m ramp + 30 m hold; counted as 30 minutes at full rate). Count thresholds
    // scale with --scale and --scale-durations (plans/resolve.ts).
    'chat.messages_sent{phase:Peak Load}': ['count>3000000'],
    'webrtc.packets{kind:audio,direction:inbound,phase:Peak Load}': ['count>30000000'],
    'chat.delivery_ms': ['p(99)<5000'],
  },
});
