// What a protocolMedia user costs the machine that runs it, for the dry run's estimate
// (plans/describe.ts) and the workers a plan needs (fleet/calibration/workers-needed.ts).
// Measured with npm run bench:media-protocol -- --users 20 (2 cores shared with other work, load
// average 13–28; CPU from /proc of the process): in 1:1 mesh video calls at 640x360@15 + Opus,
// 0.98–1.11% of a core per user (90–102 per core) with every user receiving 15 fps, 2.4 MB RSS each.
// Voice only and screen shares are not measured: priced by their packets against the video user's
// ~133/s each way (Opus 50/s; a 1080p15 screen at the 2.5 Mb/s cap ~280/s + Opus).
// Through the SFU (npm run bench:media-protocol -- --users 20 --media sfu, load average ~25): 1.30% of
// a core per user (77 per core; two connections each, publish + subscribe, where mesh holds one).
// Since the RTP fast path (rtp-fast-path.ts; the bench's --werift-rtp measures the old path in the
// same conditions), under contention (load average 15–27): 0.86–0.95% at 20 users (105–116 per
// core; 1.21–1.29% on werift's path in the same runs), 0.63–0.66% at 40 (152–158; 1.17%), mesh 0.78%
// (129; 1.04%). On a quiet machine werift's path read 1.39–1.57%, above its contended figures:
// priced at 1.1% (the 20-user ratio, ~0.74, applied to the quiet figures) until a quiet run.
// Priced at the SFU figure, since a plan does not know which way its target carries calls
// (voice and screen scaled by the same ratio as video). Per user in a 1:1 call: in rooms of N a
// user receives N-1 streams, which these figures do not scale for.
// `waddle-fleet calibrate` measures plain protocol users only: these figures stay in force for media.
export const protocolMediaCost = {
  video: { cores: 0.011, memoryMb: 2.5 },
  voice: { cores: 0.0046, memoryMb: 2.5 },
  screen: { cores: 0.03, memoryMb: 2.5 },
} as const;
