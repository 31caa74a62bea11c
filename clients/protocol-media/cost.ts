// What a protocolMedia user costs the machine that runs it, for the dry run's estimate
// (plans/describe.ts) and the workers a plan needs (fleet/calibration/workers-needed.ts).
// Measured with npm run bench:media-protocol -- --users 20 (2 cores shared with other work, load
// average 13–28; CPU from /proc of the process): in 1:1 mesh video calls at 640x360@15 + Opus,
// 0.98–1.11% of a core per user (90–102 per core) with every user receiving 15 fps, 2.4 MB RSS each.
// Voice only and screen shares are not measured: priced by their packets against the video user's
// ~133/s each way (Opus 50/s; a 1080p15 screen at the 2.5 Mb/s cap ~280/s + Opus).
// Through the SFU (npm run bench:media-protocol -- --users 20 --media sfu, load average ~25): 1.30% of
// a core per user (77 per core; two connections each, publish + subscribe, where mesh holds one).
// Priced at the higher, SFU figure, since a plan does not know which way its target carries calls
// (voice and screen scaled by the same 1.2). Per user in a 1:1 call: in rooms of N a user receives
// N-1 streams, which these figures do not scale for.
// `waddle-fleet calibrate` measures plain protocol users only: these figures stay in force for media.
export const protocolMediaCost = {
  video: { cores: 0.013, memoryMb: 2.5 },
  voice: { cores: 0.0054, memoryMb: 2.5 },
  screen: { cores: 0.035, memoryMb: 2.5 },
} as const;
