// The built-in protocolMedia driver: the protocol driver plus 'media'. Its users join calls
// through Waddle's own signalling with werift peer connections, send pre-encoded Opus and VP8
// and measure what they receive into the probe's webrtc.* metrics (tag driver:protocolMedia).
import { encodedAudio, encodedVideo } from '../../fake-media/encoded-media.ts';
import { defineDriver } from '../driver.ts';
import { protocolCapabilities } from '../protocol/protocol-waddle-client.ts';
// The client (and werift with it, ~0.5 CPU-s of module loading through tsx) is imported when the
// first user is made, so every command that makes none (dry runs, chat-only runs, reports) skips it.
const loadClient = () => import('./protocol-media-client.ts');

export const protocolMediaDriver = defineDriver({
  name: 'protocolMedia',
  kind: 'protocol',
  description: "the protocol driver whose calls carry real RTP (werift WebRTC, pre-encoded Opus + VP8, no encoding per user), measured into webrtc.*",
  capabilities: [...protocolCapabilities, 'media'],
  // audio always (every call has a mic); a camera or screen file only for journeys that have one
  prepareMedia: async ({ camera, screen }) => {
    await encodedAudio();
    if (camera) await encodedVideo(camera);
    if (screen) await encodedVideo(screen);
  },
  create: async ({ target, username, metrics, tags, media }) =>
    new (await loadClient()).ProtocolMediaWaddleClient({ baseUrl: target, username, ...(metrics ? { metrics } : {}), ...(tags ? { tags } : {}), ...(media ? { media } : {}) }),
});
