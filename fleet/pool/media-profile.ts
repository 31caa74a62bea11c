// A media profile: what a browser process's fake devices play. Chromium's fake camera and mic
// are per process (command-line flags), so users that need different media need different
// browser processes; the pool keys its browsers by this profile.

export interface VideoSize {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
}

export interface MediaProfile {
  readonly camera?: VideoSize;
  /** share of speech in the fake mic, rounded to 0.1 so users of close profiles share a browser */
  readonly voiceActivity: number;
}

export const defaultVoiceActivity = 0.5;

export function mediaProfileOf(media: { readonly camera?: VideoSize; readonly voiceActivity?: number }): MediaProfile {
  const voiceActivity = Math.round((media.voiceActivity ?? defaultVoiceActivity) * 10) / 10;
  return media.camera ? { camera: media.camera, voiceActivity } : { voiceActivity };
}

/** A map key for a profile (never parsed back: the profile itself travels with it). */
export function profileKey(profile: MediaProfile): string {
  const cam = profile.camera;
  return `${cam ? `${cam.width}x${cam.height}@${cam.fps}` : 'nocam'}|va${profile.voiceActivity}`;
}
