// Public surface of journeys/: what user journey files import.
export { defineJourney } from './define-journey.ts';
export { builtInJourneys } from './registry.ts';
export type * from './types.ts';
export { voiceCall, type VoiceCallParams } from './voice-call.ts';
export { videoCall, type VideoCallParams } from './video-call.ts';
export { screenShare, type ScreenShareParams } from './screen-share.ts';
export { chatMessaging, type ChatMessagingParams } from './chat-messaging.ts';
export { fileUpload, type FileUploadParams } from './file-upload.ts';
export { mixedUsage, type MixedUsageParams } from './mixed-usage.ts';
export { chatFlood, type ChatFloodParams } from './chat-flood.ts';
export { historyBrowsing, type HistoryBrowsingParams } from './history-browsing.ts';
