// Fake screen share. Chromium's getDisplayMedia under --use-fake-device-for-media-stream returns
// a synthetic 1280x720@30 pattern and cannot read a file (--use-file-for-fake-video-capture only
// feeds the camera), so we override getDisplayMedia to return canvas.captureStream() drawing
// slide-like content at the requested size and fps: cheap (a few fillText calls per frame),
// per page (no browser relaunch per screen size) and shaped like a talk (slides change every 3 s,
// a cursor moves).

export interface ScreenSpec {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly label?: string;
}

const SLIDE_MS = 3000;

function drawSlide(ctx: CanvasRenderingContext2D, spec: ScreenSpec, startedAt: number): void {
  const t = performance.now() - startedAt;
  const slide = Math.floor(t / SLIDE_MS) + 1;
  const { width: w, height: h } = spec;
  const size = Math.max(12, Math.round(h / 20));
  ctx.fillStyle = slide % 2 ? '#f4f4f0' : '#eef3fb';
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#111';
  ctx.font = `bold ${size * 2}px sans-serif`;
  ctx.fillText(`Slide ${slide}`, size, size * 3);
  ctx.font = `${size}px sans-serif`;
  for (let i = 0; i < 4; i++) ctx.fillText(`- point ${i + 1} of slide ${slide}`, size * 2, size * (6 + i * 2));
  ctx.fillText(`${spec.label ?? 'screen'} ${(t / 1000).toFixed(1)} s`, size, h - size);
  // the cursor: moves continuously, so every frame differs a little (like a real pointer)
  const x = ((t / 1000) * (w / 7)) % (w - 40);
  const y = h / 2 + (h / 4) * Math.sin(t / 1000);
  ctx.fillRect(x, y, 24, 24);
}

/** Replaces MediaDevices.prototype.getDisplayMedia; calls onTrack with each screen track made. */
export function installFakeScreenShare(spec: ScreenSpec, onTrack: (track: MediaStreamTrack) => void): void {
  const proto = (globalThis as { MediaDevices?: { prototype: MediaDevices } }).MediaDevices?.prototype;
  if (!proto) return;
  const fake = async function getDisplayMedia(this: MediaDevices, _options?: DisplayMediaStreamOptions): Promise<MediaStream> {
    const canvas = document.createElement('canvas');
    canvas.width = spec.width;
    canvas.height = spec.height;
    const ctx = canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new DOMException('fake screen share: no 2d canvas context', 'NotReadableError');
    const startedAt = performance.now();
    drawSlide(ctx, spec, startedAt);
    const stream = canvas.captureStream(spec.fps);
    const track = stream.getVideoTracks()[0];
    if (!track) throw new DOMException('fake screen share: canvas gave no track', 'NotReadableError');
    // what screen-share apps set for slides; lets the encoder favour sharpness over motion
    track.contentHint = 'detail';
    const settings = track.getSettings.bind(track);
    // look like a screen capture to the app (real ones report displaySurface)
    track.getSettings = () => ({ ...settings(), displaySurface: 'monitor', width: spec.width, height: spec.height, frameRate: spec.fps });
    const timer = setInterval(() => {
      if (track.readyState === 'ended') clearInterval(timer);
      else drawSlide(ctx, spec, startedAt);
    }, 1000 / spec.fps);
    onTrack(track);
    return stream;
  };
  Object.defineProperty(proto, 'getDisplayMedia', { value: fake, writable: true, configurable: true, enumerable: true });
}

/**
 * Without a fake screen, wraps the browser's own getDisplayMedia to learn its tracks' ids (the
 * probe marks outgoing SDP for them). The app gets the very same stream; errors pass through.
 */
export function watchDisplayMedia(onTrack: (track: MediaStreamTrack) => void): void {
  const proto = (globalThis as { MediaDevices?: { prototype: MediaDevices } }).MediaDevices?.prototype;
  const native = proto?.getDisplayMedia;
  if (!proto || typeof native !== 'function') return;
  const wrapped = async function getDisplayMedia(this: MediaDevices, ...args: [DisplayMediaStreamOptions?]): Promise<MediaStream> {
    const stream = await native.apply(this, args);
    try {
      for (const track of stream.getVideoTracks()) onTrack(track);
    } catch {}
    return stream;
  };
  Object.defineProperty(proto, 'getDisplayMedia', { value: wrapped, writable: true, configurable: true, enumerable: true });
}
