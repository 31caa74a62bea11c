// Issue 18 item 4's acceptance shape: 10,000 protocol chatters (channels of 10, a message every 6 s:
// ~100K messages a minute, ~900K deliveries) + 2,000 protocol callers (1,000 calls of 2, signalling
// only), a 2-minute ramp and a 3-minute hold, against a standalone reference Waddle with a text
// channel per 10 chatters and a voice channel per call. Chatters send 10 messages per iteration
// (~1 min) and go on in the same session; callers keep voiceCall's defaults (talk 3 min, mute decided every 15 s):
//   npm run waddle -- --port 8090 --text-channels 1000 --voice-channels 1000 --chat-rate 1000
//   npx waddle-fleet run bench/protocol-fleet-plan.ts --target http://127.0.0.1:8090 --no-report
// Judge the hold: generator.cpu_pct (its tree, % of the machine ×2 = % of one core here) and
// generator.event_loop_p99_ms in intervals.ndjson, the verdict not INCONCLUSIVE for the generator.
// Smaller: --scale 0.2 (2,000 + 400; the target then needs 200 text and 200 voice channels).
// CHATTERS=n / CALLERS=n (environment) change the counts, to price one kind alone (0 drops it).
// bench/protocol-fleet-hold.ts <run folder> prints the hold's figures.
import { definePlan } from '../index.ts';

const count = (name: string, fallback: number): number => (process.env[name] === undefined ? fallback : Math.max(0, Math.round(Number(process.env[name]))));
const chatters = count('CHATTERS', 10_000);
const callers = count('CALLERS', 2_000);

export default definePlan({
  name: 'protocol-fleet',
  description: 'issue 18 item 4: 10,000 protocol chatters + 2,000 protocol callers (rooms of 2), 2 min ramp, 3 min hold',
  phases: [
    {
      name: 'hold',
      targetUsers: chatters + callers,
      rampUp: '2m',
      duration: '3m',
      scenarios: [
        ...(chatters > 0 ? [{ journey: 'chatMessaging', driver: 'protocol', users: chatters, params: { count: 10, intervalMs: 6_000, receiveMs: 0, channelSize: 10 } }] : []),
        ...(callers > 0 ? [{ journey: 'voiceCall', driver: 'protocol', users: callers, params: { roomSize: 2 } }] : []),
      ],
    },
  ],
  limits: { maxUsers: 12_000 },
  thresholds: chatters > 0 ? { 'chat.delivery_ms{driver:protocol}': ['p(99)<5000'], 'chat.messages_received': ['count>0'] } : {},
  gracefulStop: '10s',
});
