// Which glass-to-glass marks a run uses (--media-marks): read by preflight (--frame-rate cannot
// pace pages whose marks read what is shown) and by the browser pool task.

/**
 * The marks a run uses: what --media-marks says, or with 'auto' the least the plan's thresholds
 * need (they cost the generator: README "Glass-to-glass"); the camera stamp, the dearest part,
 * only for media.video_e2e_ms.
 */
export function mediaMarksFor(mode: 'auto' | 'off' | 'on' | 'full', thresholdMetrics: readonly string[]): false | { video: boolean } {
  if (mode === 'off') return false;
  if (mode === 'on' || mode === 'full') return { video: mode === 'full' };
  if (thresholdMetrics.includes('media.video_e2e_ms')) return { video: true };
  return thresholdMetrics.some((m) => m.startsWith('media.') && m !== 'media.first_remote_ms') ? { video: false } : false;
}
