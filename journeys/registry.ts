// The built-in journeys, by the name a scenario gives. A plan adds its own as values
// (`journeys: [myJourney]` in definePlan); plans/catalog.ts looks names up in both.
import { chatFlood } from './chat-flood.ts';
import { chatMessaging } from './chat-messaging.ts';
import { fileUpload } from './file-upload.ts';
import { historyBrowsing } from './history-browsing.ts';
import { mixedUsage } from './mixed-usage.ts';
import { screenShare } from './screen-share.ts';
import type { Journey } from './types.ts';
import { videoCall } from './video-call.ts';
import { voiceCall } from './voice-call.ts';

// Journeys are stored with their params erased; the plan validator checks params against `defaults`.
export const eraseParams = <P>(journey: Journey<P>): Journey => journey as unknown as Journey;

export const builtInJourneys: Readonly<Record<string, Journey>> = {
  voiceCall: eraseParams(voiceCall),
  videoCall: eraseParams(videoCall),
  screenShare: eraseParams(screenShare),
  chatMessaging: eraseParams(chatMessaging),
  fileUpload: eraseParams(fileUpload),
  mixedUsage: eraseParams(mixedUsage),
  // the volume plan's: seeding long histories and reading them
  chatFlood: eraseParams(chatFlood),
  historyBrowsing: eraseParams(historyBrowsing),
};
