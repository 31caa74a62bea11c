// One 4-way camera call (320x240@15) for 60 s: what the reference Waddle's SFU costs per call, and
// the generator beside it, in SFU and in mesh mode. Run it both ways and compare target.sfu_* and
// generator.* in the run folders (reference-waddle/README.md, SFU mode, has the figures):
//   npx waddle-fleet run bench/sfu-call-plan.ts --target-media sfu
//   npx waddle-fleet run bench/sfu-call-plan.ts --target-media mesh
import { definePlan } from '../index.ts';

export default definePlan({
  name: 'sfu-call',
  description: 'a 4-way camera call for 60 s: the SFU cost per call (compare --target-media sfu and mesh)',
  phases: [
    {
      name: 'call',
      targetUsers: 4,
      rampUp: '2s',
      duration: '60s',
      scenarios: [{ journey: 'videoCall', users: 4, params: { room: 0, holdMs: 45_000, remoteMediaTimeoutMs: 30_000 } }],
    },
  ],
  media: { camera: { width: 320, height: 240, fps: 15 } },
  thresholds: { 'webrtc.frames{kind:video,direction:inbound}': ['count>0'] },
  gracefulStop: '30s',
});
