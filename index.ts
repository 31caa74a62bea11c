// The public surface: what a user's plan, journey and driver files import from 'waddle-fleet'
// (docs/writing-a-driver.md). Everything else in the package is internal and may change.
// Consumers' type checkers read the declarations generated from this file (`npm run build:types`,
// run by `prepare`; the "types" condition in package.json), so it must stay self-contained:
// values and types a plan file needs, nothing of the fleet's machinery.

// Plans
export { definePlan } from './plans/define-plan.ts';
export type { Plan, Phase, Scenario, ThresholdSpec, MediaSize, Duration } from './plans/schema.ts';
// the shipped volume plan at a size of your own (e.g. the full 100,000-message seed with fewer uploaders)
export { volumePlanOf, fullVolume, type VolumeShape } from './plans/shipped/volume.ts';
// A network per user (network/README.md): presets, profile types, and what a protocol driver applies to its messages
export { networkPresets, type NetworkProfile, type LinkSpec, type ScheduleStep, type NetworkChoice, type Preset } from './network/profile.ts';
export type { MessageLink } from './network/message-link.ts';

// Journeys: define your own, or reuse (wrap) the built-in ones.
export { defineJourney } from './journeys/define-journey.ts';
export type { Journey, JourneyContext, BehaviourProfile, StepOptions, StepFn, VirtualUserInfo, Rng } from './journeys/types.ts';
export { builtInJourneys } from './journeys/registry.ts';
// the helpers the shipped journeys use, so a plan's own journey connects once per session as they do
export { connectAndJoin, openChannelOnce, countReceipts, sendChat, recordReceived } from './journeys/common.ts';
export { voiceCall, type VoiceCallParams } from './journeys/voice-call.ts';
export { videoCall, type VideoCallParams } from './journeys/video-call.ts';
export { screenShare, type ScreenShareParams } from './journeys/screen-share.ts';
export { chatMessaging, type ChatMessagingParams } from './journeys/chat-messaging.ts';
export { fileUpload, type FileUploadParams } from './journeys/file-upload.ts';
export { mixedUsage, type MixedUsageParams } from './journeys/mixed-usage.ts';
export { chatFlood, type ChatFloodParams } from './journeys/chat-flood.ts';
export { historyBrowsing, type HistoryBrowsingParams } from './journeys/history-browsing.ts';

// Drivers: how a user speaks to the app under test.
export { defineDriver, capabilityNames } from './clients/driver.ts';
export type { Driver, BrowserDriver, ProtocolDriver, Capability, DriverCreateContext, BrowserDriverCreateContext, DriverInfo, VideoProfile } from './clients/driver.ts';
export type {
  WaddleClient,
  WaddleInfo,
  SentMessage,
  ReceivedMessage,
  PresenceChange,
  UploadResult,
  DownloadResult,
  RemoteMediaKind,
  ChannelHistoryView,
  HistoryPageLoad,
  HistoryScroll,
  ConnectionEvent,
} from './clients/waddle-client.ts';
// A base for a client of an app that has only some of it: write username, connect and what your capabilities cover.
export { WaddleClientBase } from './clients/waddle-client-base.ts';
// The built-in clients, for a UI or server close to the reference Waddle (subclass and override).
export { BrowserWaddleClient, type BrowserWaddleClientOptions } from './clients/browser/browser-waddle-client.ts';
export { InputQueue } from './clients/browser/input-queue.ts';
export { withFrames } from './clients/browser/frame-demand.ts';
export { ProtocolWaddleClient, type ProtocolWaddleClientOptions } from './clients/protocol/protocol-waddle-client.ts';

// Metrics and results
export { catalogue, type MetricName, type MetricDefinition, type CustomMetricName, type CustomMetricSpec, type RecordableMetric } from './metrics/catalogue.ts';
export type { MetricsRecorder, Tags } from './metrics/types.ts';
export type { RunSummary, Verdict, VerdictResult } from './metrics/run-summary.ts';

// Playwright's page, as browser drivers and journeys get it (no direct dependency needed).
export type { Page, Locator } from 'playwright-core';
