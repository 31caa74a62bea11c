// The sending half of glass-to-glass: getUserMedia's camera track is replaced by a track whose
// frames carry a capture stamp (in-page/frame-code.ts STAMP, wall-clock ms), and its mic track by
// one that carries a 2 kHz tone burst every 2 s on the wall clock (in-page/audio-mark.ts).
// Chromium's breakout box does the work: MediaStreamTrackProcessor reads the device track's
// frames, a TransformStream edits them, MediaStreamTrackGenerator is the track the app gets.
// The stamp is the capture timestamp of the frame mapped to the wall clock (MediaClock), so
// main-thread jitter in this page does not enter the figure.
// Limits: the app gets a generator track, so getSettings/getCapabilities/getConstraints/
// applyConstraints/label/stop are forwarded to the device track (a resize by applyConstraints
// reaches the stamped track); clone() clones the generator, and stopping a clone leaves the
// camera on. getDisplayMedia is never touched (screen shares carry no stamp).
import { BurstWriter, MediaClock, wallNowMs } from './audio-mark.ts';
import { STAMP, stripRows, writeCode } from './frame-code.ts';

type Report = (message: string) => void;
/** a stale chunk was dropped (the page fell behind its device) */
type Dropped = (kind: 'video' | 'audio') => void;
type Ctor = new (init: never) => unknown;
interface BreakoutBox {
  readonly Processor: Ctor;
  readonly Generator: Ctor;
}
interface Generated extends MediaStreamTrack {
  readonly writable: WritableStream<unknown>;
}

function breakoutBox(): BreakoutBox | undefined {
  const w = globalThis as unknown as Record<string, Ctor | undefined>;
  const Processor = w['MediaStreamTrackProcessor'];
  const Generator = w['MediaStreamTrackGenerator'];
  return Processor && Generator ? { Processor, Generator } : undefined;
}

/** The generator stands for the device track: what the app asks of its camera goes to the device. */
function standIn(gen: MediaStreamTrack, device: MediaStreamTrack): void {
  const forward = <K extends 'getSettings' | 'getCapabilities' | 'getConstraints' | 'applyConstraints'>(name: K) =>
    Object.defineProperty(gen, name, { configurable: true, writable: true, value: (...args: unknown[]) => (device[name] as (...a: unknown[]) => unknown).apply(device, args) });
  forward('getSettings');
  forward('getCapabilities');
  forward('getConstraints');
  forward('applyConstraints');
  Object.defineProperty(gen, 'label', { configurable: true, get: () => device.label });
  const stopGen = gen.stop.bind(gen);
  Object.defineProperty(gen, 'stop', {
    configurable: true,
    writable: true,
    value: () => {
      device.stop(); // the camera light goes off when the app stops "its" track
      stopGen();
    },
  });
  device.addEventListener('ended', () => stopGen());
}

type Edited = VideoFrame | AudioData | 'stale';

/**
 * A page that falls behind its device (main thread starved) must not queue: the app's own
 * track would not, and a queue here is delay the call keeps. Chunks captured longer ago than
 * this are dropped and counted (Node warns once: a starved page, not a slow network).
 */
const MAX_LAG_MS = { video: 150, audio: 80 } as const;

/** Chunks in, chunks out, through `edit`; a failed edit passes the chunk through unchanged. */
function transformed(box: BreakoutBox, device: MediaStreamTrack, kind: 'video' | 'audio', edit: (chunk: VideoFrame | AudioData) => Edited | Promise<Edited>, report: Report, dropped: Dropped): MediaStreamTrack {
  const processor = new box.Processor({ track: device } as never) as { readable: ReadableStream<VideoFrame | AudioData> };
  const gen = new box.Generator({ kind } as never) as Generated;
  let reported = false;
  const transform = new TransformStream<VideoFrame | AudioData, VideoFrame | AudioData>({
    async transform(chunk, out) {
      let next: Edited = chunk;
      try {
        next = await edit(chunk);
      } catch (err) {
        if (!reported) report(`${kind} mark: ${err instanceof Error ? err.message : String(err)} (chunks pass unmarked)`);
        reported = true;
      }
      if (next !== chunk) chunk.close();
      if (next !== 'stale') out.enqueue(next);
      else dropped(kind);
    },
  });
  processor.readable.pipeThrough(transform).pipeTo(gen.writable).catch(() => {}); // ends with either track
  standIn(gen, device);
  return gen;
}

/** Stamps each camera frame (I420 or NV12; other formats pass unstamped, reported once). */
function stampVideo(box: BreakoutBox, device: MediaStreamTrack, report: Report, dropped: Dropped): MediaStreamTrack {
  const clock = new MediaClock();
  let buf = new Uint8Array(0);
  let warned = false;
  return transformed(
    box,
    device,
    'video',
    async (chunk) => {
      const frame = chunk as VideoFrame;
      const now = wallNowMs();
      const stamp = Math.round(clock.wallMs(frame.timestamp, now));
      if (now - stamp > MAX_LAG_MS.video) return 'stale';
      if (frame.format !== 'I420' && frame.format !== 'NV12') {
        if (!warned) report(`video mark: camera frames are ${frame.format}, not I420/NV12: not stamped`);
        warned = true;
        return frame;
      }
      const size = frame.allocationSize();
      if (buf.length !== size) buf = new Uint8Array(size);
      const layout = frameLayout(frame);
      await frame.copyTo(buf, { layout });
      const width = frame.visibleRect?.width ?? frame.codedWidth;
      const height = frame.visibleRect?.height ?? frame.codedHeight;
      const y = buf.subarray(layout[0]!.offset);
      writeCode(y, layout[0]!.stride, width, height, stamp, STAMP);
      // neutral chroma under the strip: grey blocks, not tinted ones, cost the encoder least
      const { end } = stripRows(STAMP, height);
      for (const plane of layout.slice(1)) buf.fill(128, plane.offset, plane.offset + plane.stride * Math.ceil(end / 2));
      return new VideoFrame(buf, { format: frame.format, codedWidth: width, codedHeight: height, timestamp: frame.timestamp, ...(frame.duration !== null ? { duration: frame.duration } : {}), layout, ...(frame.colorSpace ? { colorSpace: frame.colorSpace.toJSON() } : {}) });
    },
    report,
    dropped,
  );
}

/** A tight layout of the visible rect: Y, then U and V (I420) or UV (NV12). */
function frameLayout(frame: VideoFrame): PlaneLayout[] {
  const w = frame.visibleRect?.width ?? frame.codedWidth;
  const h = frame.visibleRect?.height ?? frame.codedHeight;
  const cw = Math.ceil(w / 2);
  const ch = Math.ceil(h / 2);
  if (frame.format === 'NV12') return [{ offset: 0, stride: w }, { offset: w * h, stride: cw * 2 }];
  return [{ offset: 0, stride: w }, { offset: w * h, stride: cw }, { offset: w * h + cw * ch, stride: cw }];
}

/** Replaces mic samples by the tone at each burst instant (any sample format; out as f32-planar). */
function burstAudio(box: BreakoutBox, device: MediaStreamTrack, report: Report, dropped: Dropped): MediaStreamTrack {
  const clock = new MediaClock();
  const writers: BurstWriter[] = [];
  return transformed(
    box,
    device,
    'audio',
    (chunk) => {
      const data = chunk as AudioData;
      const n = data.numberOfFrames;
      const now = wallNowMs();
      const endMs = clock.wallMs(data.timestamp + (n * 1e6) / data.sampleRate, now);
      if (now - endMs > MAX_LAG_MS.audio) return 'stale';
      const planes = new Float32Array(n * data.numberOfChannels);
      for (let ch = 0; ch < data.numberOfChannels; ch++) {
        const plane = planes.subarray(ch * n, (ch + 1) * n);
        data.copyTo(plane, { planeIndex: ch, format: 'f32-planar' });
        (writers[ch] ??= new BurstWriter()).write(plane, data.sampleRate, endMs);
      }
      return new AudioData({ format: 'f32-planar', sampleRate: data.sampleRate, numberOfFrames: n, numberOfChannels: data.numberOfChannels, timestamp: data.timestamp, data: planes });
    },
    report,
    dropped,
  );
}

/**
 * Wraps MediaDevices.prototype.getUserMedia (after fake-mic.ts's wrapper, so it sees the raw
 * track): the app gets the marked tracks in a new stream. Without the breakout box (another
 * browser) the device tracks go through unmarked, reported once.
 */
export function markUserMedia(options: { video: boolean; audio: boolean }, report: Report, dropped: Dropped): void {
  const proto = (globalThis as { MediaDevices?: { prototype: MediaDevices } }).MediaDevices?.prototype;
  if (!proto || typeof proto.getUserMedia !== 'function') return;
  const box = breakoutBox();
  if (!box) {
    report('marks: this browser has no MediaStreamTrackProcessor/MediaStreamTrackGenerator: no glass-to-glass stamps');
    return;
  }
  const native = proto.getUserMedia;
  Object.defineProperty(proto, 'getUserMedia', {
    configurable: true,
    writable: true,
    value: async function getUserMedia(this: MediaDevices, constraints?: MediaStreamConstraints) {
      const stream = await native.call(this, constraints);
      try {
        const tracks = stream.getTracks().map((t) => {
          if (t.kind === 'video' && options.video) return stampVideo(box, t, report, dropped);
          if (t.kind === 'audio' && options.audio) return burstAudio(box, t, report, dropped);
          return t;
        });
        return tracks.every((t, i) => t === stream.getTracks()[i]) ? stream : new MediaStream(tracks);
      } catch (err) {
        report(`marks: ${err instanceof Error ? err.message : String(err)} (the app got the unmarked tracks)`);
        return stream;
      }
    },
  });
}
