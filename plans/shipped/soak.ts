// soak: steady mixed load for hours, to find leaks (target memory, generator memory slope) and
// slow degradation. Hybrid: 200 protocol users, 8 of them in real browsers (a leak in the web
// client shows in their pages' memory; the report's memory-growth rule reads it). Half the voice
// callers are protocolMedia users in 1:1 calls: real Opus RTP for hours, so a leak on the media
// path (the target's SFU with --target-media sfu) shows too.
import { definePlan } from '../define-plan.ts';

export const soak = definePlan({
  name: 'soak',
  description: 'Soak: 200 mixed users for 2 hours (protocol users + 8 browser users)',
  browserSample: { share: 0.04, min: 8 },
  media: { camera: { width: 640, height: 360, fps: 15 } },
  phases: [
    {
      name: 'Soak',
      targetUsers: 200,
      rampUp: '5m',
      duration: '2h',
      scenarios: [
        { journey: 'mixedUsage', driver: 'protocol', weight: 6, params: { channelSize: 10 } },
        { journey: 'chatMessaging', driver: 'protocol', weight: 3, params: { channelSize: 10 } },
        { journey: 'voiceCall', driver: 'protocol', weight: 0.5 },
        { journey: 'voiceCall', driver: 'protocolMedia', weight: 0.5, params: { roomSize: 2 } },
      ],
    },
  ],
  thresholds: {
    'journey.errors': ['rate<0.01'],
    'step.duration_ms': ['p(99)<2000'],
    'chat.delivery_ms': ['p(95)<1000'],
    'webrtc.packets{kind:audio,direction:inbound,driver:protocolMedia}': ['count>0'],
  },
});
