// stress (seed #57 TEST_PLANS.stress): 1,000 → 5,000 → 10,000 users with the seed's exact mix,
// hybrid: the users speak Waddle's protocol (they load the server as the real client does: login,
// one WebSocket, chat, presence, voice signalling, chunked uploads), and a sample of them — 8 at
// any scale — run in real browsers with fake camera, mic and screen, to measure what users feel.
// Success criteria: error rate 0.05 (abort early), p99 5000 ms, chat throughput 100K messages/min.
// Protocol users signal calls but carry no RTP, so the seed's 1M voice packets/min is not a
// threshold here: media quality is judged on the browser sample (README "Hybrid plans").
import { definePlan } from '../define-plan.ts';

// 200 messages 1.5 s apart, then 30 s of listening: ~36 messages/min per user, so 3,000 chat users
// send the seed's 100K+ messages a minute, in channels of 10 (every message reaches 9 others)
const chat = { count: 200, intervalMs: 1_500, receiveMs: 30_000, channelSize: 10 };

export const stress = definePlan({
  name: 'stress',
  description: '10K User Stress Test: test system limits with 10,000 concurrent users (protocol users + a browser sample)',
  browserSample: { share: 0.0008, min: 8, max: 12 },
  phases: [
    {
      name: 'Ramp-up',
      targetUsers: 1000,
      rampUp: '5m',
      duration: '10m',
      scenarios: [
        { journey: 'voiceCall', driver: 'protocol', users: 300 },
        { journey: 'videoCall', driver: 'protocol', users: 200 },
        { journey: 'chatMessaging', driver: 'protocol', users: 400, params: chat },
        { journey: 'fileUpload', driver: 'protocol', users: 100 },
      ],
    },
    {
      name: 'Sustained Load',
      targetUsers: 5000,
      rampUp: '10m',
      duration: '30m',
      scenarios: [
        { journey: 'voiceCall', driver: 'protocol', users: 1500 },
        { journey: 'videoCall', driver: 'protocol', users: 1000 },
        { journey: 'screenShare', driver: 'protocol', users: 500 },
        { journey: 'chatMessaging', driver: 'protocol', users: 1500, params: chat },
        { journey: 'fileUpload', driver: 'protocol', users: 500 },
      ],
    },
    {
      name: 'Peak Load',
      targetUsers: 10000,
      rampUp: '10m',
      duration: '30m',
      scenarios: [
        { journey: 'voiceCall', driver: 'protocol', users: 3000 },
        { journey: 'videoCall', driver: 'protocol', users: 2000 },
        { journey: 'screenShare', driver: 'protocol', users: 1000 },
        { journey: 'chatMessaging', driver: 'protocol', users: 3000, params: chat },
        { journey: 'fileUpload', driver: 'protocol', users: 1000 },
      ],
    },
  ],
  // the browser sample's fake media: 640x360@15 cameras and a 1280x720@5 screen keep 8 browser users
  // within a 2-core worker beside 10,000 protocol users
  media: { camera: { width: 640, height: 360, fps: 15 }, screen: { width: 1280, height: 720, fps: 5 } },
  limits: { maxUsers: 10000 },
  thresholds: {
    'journey.errors': [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '5m' }],
    'step.duration_ms': ['p(99)<5000'],
    // the seed's minimum throughput at peak: 100K messages/min over the Peak Load phase (10 m ramp
    // + 30 m hold; counted as 30 minutes at full rate). Count thresholds scale with --scale and
    // --scale-durations (plans/resolve.ts).
    'chat.messages_sent{phase:Peak Load}': ['count>3000000'],
    'chat.delivery_ms': ['p(99)<5000'],
    // what the browser sample feels: messages, voice and video arriving
    'chat.delivery_ms{driver:browser}': ['p(95)<2000'],
    'webrtc.packets{kind:audio,direction:inbound,driver:browser}': ['count>0'],
    'webrtc.fps{kind:video,direction:inbound,driver:browser}': ['p(50)>=12'],
  },
});
