// The three workloads of the density benchmark, described once for both ways of running them
// (the fleet's real path and the usual plain-Playwright way), so both do the same work:
//   chat  — channels of 10, every member sends a message every 2 s (protocol fillers complete a
//           channel the browser users do not fill, so each browser user always receives 4.5 msg/s);
//   video — 1:1 calls (rooms of 2), camera 640x360@15 on both sides;
//   idle  — members of a waddle with a text channel open, nothing sent.

export type WorkloadName = 'chat' | 'video' | 'idle';

export interface Workload {
  readonly name: WorkloadName;
  readonly what: string;
  /** the two sizes measured; users at 80% come from the line through them */
  readonly sizes: readonly [number, number];
  /** chat: members per text channel (browser users + protocol fillers) */
  readonly channelSize?: number;
  readonly chatIntervalMs?: number;
  /** video: users per call and their camera */
  readonly roomSize?: number;
  readonly camera?: { readonly width: number; readonly height: number; readonly fps: number };
}

export const workloads: Readonly<Record<WorkloadName, Workload>> = {
  chat: { name: 'chat', what: 'chat, channels of 10, a message every 2 s per member', sizes: [5, 10], channelSize: 10, chatIntervalMs: 2000 },
  video: { name: 'video', what: '1:1 video calls, 640x360@15 cameras', sizes: [2, 4], roomSize: 2, camera: { width: 640, height: 360, fps: 15 } },
  idle: { name: 'idle', what: 'idle waddle members, a text channel open', sizes: [10, 20], channelSize: 10 },
};

/** One measurement's timeline: users start over rampMs, settle for warmMs, then sampleMs is measured. */
export interface Timeline {
  readonly rampMs: number;
  readonly warmMs: number;
  readonly sampleMs: number;
  /** length of one CPU window inside sampleMs (the figure is the median of the windows) */
  readonly windowMs: number;
}

export const defaultTimeline: Timeline = { rampMs: 10_000, warmMs: 20_000, sampleMs: 30_000, windowMs: 5_000 };

/** The fleet plan (JSON, as a user would write it) for `users` browser users of a workload. */
export function fleetPlan(w: Workload, users: number, t: Timeline): Record<string, unknown> {
  const durationS = Math.ceil((t.warmMs + t.sampleMs) / 1000) + 5;
  const phase = (scenario: Record<string, unknown>) => ({
    name: 'density',
    targetUsers: users,
    rampUp: `${Math.round(t.rampMs / 1000)}s`,
    duration: `${durationS}s`,
    scenarios: [{ ...scenario, users }],
  });
  const base = { name: `density-${w.name}-${users}`, gracefulStop: '10s', thresholds: {} };
  if (w.name === 'video') {
    return { ...base, media: { camera: w.camera }, phases: [phase({ journey: 'videoCall', params: { roomSize: w.roomSize, holdMs: 3_600_000, remoteMediaTimeoutMs: 30_000 } })] };
  }
  const count = w.name === 'chat' ? 100_000 : 0;
  return { ...base, phases: [phase({ journey: 'chatMessaging', params: { count, intervalMs: w.chatIntervalMs ?? 2000, receiveMs: 3_600_000, channelSize: w.channelSize } })] };
}

/** Text channel index of a chatter (the fleet's textChannelFor: by index, channelSize to a channel). */
export const channelIndexOf = (userIndex: number, channelSize: number): number => Math.floor(userIndex / channelSize);
/** Call room of a video user (the fleet's call rooms: roomSize users per room by index). */
export const roomIndexOf = (userIndex: number, roomSize: number): number => Math.floor(userIndex / roomSize);
