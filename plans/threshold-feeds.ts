// Which metrics the shipped journeys record, so the dry run can warn about a plan threshold that
// no journey of the plan feeds: it would fail as "no data" at the end of a long run, when the
// plan only needed one more journey or an `optional: true`. Every user also records users.*,
// journey.*, step.*, presence.propagation_ms and, on drivers that report it, connection.*; the
// machines record generator.* and target.*: those are never warned about. webrtc.* comes from the
// in-page probe or protocolMedia's meter, so only from call journeys on a driver with 'media'.
import { builtInJourneys } from '../journeys/registry.ts';
import type { PlanCatalog } from './catalog.ts';
import type { ResolvedPlan } from './resolve.ts';

const chat = ['chat.messages_sent', 'chat.messages_received', 'chat.send_ack_ms', 'chat.delivery_ms'];
const call = ['voice.join_ms', 'media.first_remote_ms', 'webrtc.*'];
const upload = ['upload.duration_ms', 'upload.throughput_mbps', 'upload.bytes', 'download.duration_ms', 'download.verify_errors'];
const history = ['chat.history_messages', 'chat.history_load_ms', 'chat.history_page_ms', 'chat.history_pages', 'chat.scroll_frame_ms', 'chat.scroll_long_frames'];

const recordedBy: Readonly<Record<string, readonly string[]>> = {
  voiceCall: call,
  videoCall: call,
  screenShare: ['voice.join_ms', 'webrtc.*'],
  chatMessaging: chat,
  fileUpload: upload,
  mixedUsage: [...chat, ...call, 'reactions.sent'],
  chatFlood: ['chat.messages_sent', 'chat.send_ack_ms', 'chat.history_messages'],
  historyBrowsing: history,
};

/** Metric families only some journeys record; the rest every run has. */
const journeyFamilies = /^(chat|voice|media|upload|download|reactions|webrtc)\./;

/** One warning per plan threshold on a metric no journey of this plan records; none when the plan runs a journey of its own (unknown). */
export function unfedThresholdWarnings(plan: ResolvedPlan, catalog: PlanCatalog): string[] {
  const running = plan.phases.flatMap((p) => p.scenarios.filter((s) => s.users > 0));
  if (running.some((s) => recordedBy[s.journey] === undefined || catalog.journey(s.journey) !== builtInJourneys[s.journey])) return [];
  const fed = new Set<string>();
  for (const s of running) {
    const driver = catalog.driver(s.driver);
    // a browser that decodes media, or protocolMedia (real RTP, measured into the same webrtc.*)
    const decodesMedia = driver?.capabilities.includes('media') === true;
    for (const metric of recordedBy[s.journey]!) if (metric !== 'webrtc.*' || decodesMedia) fed.add(metric);
  }
  const journeys = [...new Set(running.map((s) => s.journey))].join(', ');
  const warnings: string[] = [];
  for (const [key, list] of Object.entries(plan.thresholds)) {
    const metric = key.replace(/\{.*$/, '').trim();
    if (!journeyFamilies.test(metric) || fed.has(metric) || (metric.startsWith('webrtc.') && fed.has('webrtc.*'))) continue;
    if (list.every((t) => typeof t === 'object' && t.optional === true)) continue;
    const hint = metric.startsWith('webrtc.') ? ' (webrtc.* comes from call journeys on a driver with media: browser or protocolMedia)' : '';
    warnings.push(`threshold ${key}: no journey of this plan (${journeys}) records ${metric}${hint}, so it will fail as no data; add a journey that records it, or mark it { threshold, optional: true }`);
  }
  return warnings;
}
