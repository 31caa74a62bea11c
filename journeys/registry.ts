// The journey registry: plans name journeys by these keys. Users may add their own with
// registerJourney before a plan that names them is validated.
import { chatMessaging } from './chat-messaging.ts';
import { fileUpload } from './file-upload.ts';
import { mixedUsage } from './mixed-usage.ts';
import { screenShare } from './screen-share.ts';
import type { Journey } from './types.ts';
import { videoCall } from './video-call.ts';
import { voiceCall } from './voice-call.ts';

// Journeys are stored with their params erased; the plan validator checks params against `defaults`.
const erase = <P>(journey: Journey<P>): Journey => journey as unknown as Journey;

export const journeys: Record<string, Journey> = {
  voiceCall: erase(voiceCall),
  videoCall: erase(videoCall),
  screenShare: erase(screenShare),
  chatMessaging: erase(chatMessaging),
  fileUpload: erase(fileUpload),
  mixedUsage: erase(mixedUsage),
};

export function registerJourney<P>(journey: Journey<P>): void {
  if (!/^[A-Za-z][A-Za-z0-9_-]*$/.test(journey.name)) {
    throw new Error(`registerJourney: name must start with a letter and hold only letters, digits, _ or -, got ${JSON.stringify(journey.name)}`);
  }
  const existing = journeys[journey.name];
  if (existing && existing !== (journey as unknown)) {
    throw new Error(`registerJourney: a journey named '${journey.name}' is already registered; choose another name`);
  }
  journeys[journey.name] = erase(journey);
}

export function journeyNames(): string[] {
  return Object.keys(journeys);
}
