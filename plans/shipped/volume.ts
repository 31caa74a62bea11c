// volume (the load-testing guide's "Volume Testing": large amounts of data). Hybrid, in two phases:
//   Seed    protocol users fill a text channel to 100,000 messages as fast as the server's
//           per-connection chat rate allows (chatFlood: 50 seeders × 20 msg/s ≈ 100 s), then idle;
//   Volume  500 protocol users upload files at the server's size limit (50 MiB, the reference
//           Waddle's maxUploadBytes) at once and verify them by downloading, 200 protocol users page
//           through the long history (the server's paging under that load), while a few browser
//           users measure what people feel: the long channel's latest page, each older page while
//           scrolling up, how smooth scrolling stays, and the throughput of their own 50 MiB uploads.
// Seeding time grows as the plan is scaled down (fewer seeders at the same per-seeder rate), so the
// seeded volume shrinks with --scale (and --scale-durations): the report's chat.history_messages
// says what was actually tested. The fleet's own reference Waddle keeps fillTo messages per channel
// and takes sizeBytes uploads (plans/target-needs.ts); a target of your own must too (the dry run
// prints its flags).
import { definePlan } from '../define-plan.ts';
import type { Plan } from '../schema.ts';

/** The reference Waddle's upload limit (reference-waddle/options.ts maxUploadBytes). */
const SERVER_MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

export interface VolumeShape {
  /** messages the long channel is filled to */
  readonly fillTo: number;
  readonly seeders: number;
  readonly seed: { readonly rampUp: string; readonly duration: string };
  readonly uploadBytes: number;
  readonly protocolUploaders: number;
  readonly protocolReaders: number;
  readonly browserReaders: number;
  readonly browserUploaders: number;
  /** older pages a reader scrolls up through per iteration */
  readonly pages: number;
  readonly volume: { readonly rampUp: string; readonly duration: string };
}

export const fullVolume: VolumeShape = {
  fillTo: 100_000,
  seeders: 50,
  seed: { rampUp: '10s', duration: '3m' },
  uploadBytes: SERVER_MAX_UPLOAD_BYTES,
  protocolUploaders: 500,
  protocolReaders: 200,
  browserReaders: 4,
  browserUploaders: 2,
  pages: 20,
  volume: { rampUp: '30s', duration: '5m' },
};

/** The volume plan of a given shape: the shipped one is fullVolume; tests run a small one. */
export function volumePlanOf(shape: VolumeShape): Plan {
  const reading = { pages: shape.pages, readMs: 10_000 };
  const uploading = { sizeBytes: shape.uploadBytes, verifyDownload: true };
  const volumeUsers = shape.protocolUploaders + shape.protocolReaders + shape.browserReaders + shape.browserUploaders;
  return definePlan({
    name: 'volume',
    description: `Volume test: a channel seeded to ${shape.fillTo} messages, then ${shape.protocolUploaders} concurrent ${Math.round(shape.uploadBytes / 1024 / 1024)} MiB uploads while browser users load, scroll and upload`,
    phases: [
      {
        name: 'Seed',
        targetUsers: shape.seeders,
        rampUp: shape.seed.rampUp,
        duration: shape.seed.duration,
        // idle once the channel is full, until the phase ends
        scenarios: [{ journey: 'chatFlood', driver: 'protocol', users: shape.seeders, params: { fillTo: shape.fillTo, ratePerSec: 20, holdMs: 3_600_000 } }],
      },
      {
        name: 'Volume',
        targetUsers: volumeUsers,
        rampUp: shape.volume.rampUp,
        duration: shape.volume.duration,
        scenarios: [
          { journey: 'fileUpload', driver: 'protocol', users: shape.protocolUploaders, params: uploading },
          { journey: 'historyBrowsing', driver: 'protocol', users: shape.protocolReaders, params: reading },
          { journey: 'historyBrowsing', driver: 'browser', users: shape.browserReaders, params: reading },
          { journey: 'fileUpload', driver: 'browser', users: shape.browserUploaders, params: uploading },
        ],
      },
    ],
    // a 50 MiB upload under load may take a while: let the last ones finish rather than cut them
    gracefulStop: '2m',
    thresholds: {
      'journey.errors': ['rate<0.01'],
      // the history was really seeded (on a fresh target): the seeders' acked messages
      [`chat.messages_sent{journey:chatFlood}`]: [`count>=${shape.fillTo}`],
      // what browser users feel of the long channel while the uploads run
      'chat.history_load_ms{driver:browser}': ['p(95)<1000'],
      'chat.history_page_ms{driver:browser}': ['p(95)<1000'],
      'chat.scroll_long_frames{driver:browser}': ['rate<0.05'],
      // the server's paging under that load
      'chat.history_page_ms{driver:protocol}': ['p(99)<2000'],
      // uploads at the size limit: the browser users' own, and every file intact
      'upload.throughput_mbps{driver:browser}': ['p(50)>8'],
      'download.verify_errors': ['rate==0'],
    },
  });
}

export const volume = volumePlanOf(fullVolume);
