// The fake microphone without Chromium's audio processing. A real user's mic goes through echo
// cancellation, noise suppression and gain control (Chromium's APM, in the audio service); on a
// load generator the mic is an ffmpeg file and the speaker is muted, so that work cancels no echo
// and suppresses no noise, but costs the generator per voice user. With it off, every
// getUserMedia audio request asks for the raw track: the RTP the target gets is the same codec at
// the same rate, only unprocessed.

type AudioConstraints = boolean | MediaTrackConstraints | undefined;

const raw = { echoCancellation: false, noiseSuppression: false, autoGainControl: false } as const;

export function withoutProcessing(audio: AudioConstraints): AudioConstraints {
  if (!audio) return audio;
  return audio === true ? { ...raw } : { ...audio, ...raw };
}

/** Wraps MediaDevices.getUserMedia (the prototype, so every realm's navigator.mediaDevices gets it). */
export function disableAudioProcessing(): void {
  const proto = (globalThis as { MediaDevices?: { prototype: MediaDevices } }).MediaDevices?.prototype;
  if (!proto || typeof proto.getUserMedia !== 'function') return;
  const native = proto.getUserMedia;
  Object.defineProperty(proto, 'getUserMedia', {
    configurable: true,
    writable: true,
    value: function getUserMedia(this: MediaDevices, constraints?: MediaStreamConstraints) {
      const c = constraints && typeof constraints === 'object' && constraints.audio ? { ...constraints, audio: withoutProcessing(constraints.audio) } : constraints;
      return native.call(this, c);
    },
  });
}
