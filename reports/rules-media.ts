// Findings about media from the WebRTC probe: CPU- or bandwidth-limited video, loss, freezes,
// low audio MOS; per kind and direction, each on at least MIN_SAMPLES.mediaSamples probe samples.
import type { IntervalSnapshot } from '../metrics/types.ts';
import type { BottleneckLimits } from './bottlenecks.ts';
import { evidence, fmt, type FindingList } from './finding.ts';
import { aggregateByTags, type TaggedAggregate } from './interval-stats.ts';
import { intervalsWhere, phasesOf } from './startup.ts';

const mediaName = (tags: Record<string, string>): string => [tags.kind, tags.direction].filter(Boolean).join(' ') || 'media';
const mediaTags = (agg: TaggedAggregate): Record<string, string> => Object.fromEntries(Object.entries(agg.tags).filter(([, v]) => v !== ''));

/** phases of the intervals where the series matched `hit` (default: where it had samples) */
function where(intervals: readonly IntervalSnapshot[], metric: string, agg: TaggedAggregate, hit: (count: number, sum: number, nonZero: number) => boolean = (c) => c > 0): string {
  return phasesOf(intervalsWhere(intervals, metric, mediaTags(agg), (mine) =>
    hit(mine.reduce((a, s) => a + s.count, 0), mine.reduce((a, s) => a + s.sum, 0), mine.reduce((a, s) => a + (s.nonZero ?? 0), 0))));
}

function qualityLimited(intervals: readonly IntervalSnapshot[], l: BottleneckLimits, out: FindingList): void {
  for (const [metric, type, cause] of [['webrtc.quality_limited_cpu', 'video_cpu_limited', 'CPU'], ['webrtc.quality_limited_bandwidth', 'video_bandwidth_limited', 'bandwidth']] as const) {
    for (const agg of aggregateByTags(intervals, metric, ['kind', 'direction'])) {
      const share = agg.count > 0 ? agg.nonZero / agg.count : 0;
      if (share <= l.qualityLimitedShare) continue;
      out.add({ type, component: mediaName(agg.tags), severity: 'high', area: 'load', observed: share * 100, limit: l.qualityLimitedShare * 100,
        details: `${fmt(share * 100)}% of outbound video samples were limited by ${cause} (> ${fmt(l.qualityLimitedShare * 100)}%)`,
        recommendation: cause === 'CPU'
          ? 'The generator cannot encode the video it sends: a starved generator, not a slow target. Fewer video users per worker, or lower camera resolution/fps.'
          : 'The encoder lowered quality for the network: check the SFU/TURN path and congestion; loopback runs should not be bandwidth limited.',
        evidence: evidence('mediaSamples', metric, mediaTags(agg), agg.count, where(intervals, metric, agg, (_c, _s, nz) => nz > 0)) });
    }
  }
}

function lossAndMos(intervals: readonly IntervalSnapshot[], l: BottleneckLimits, out: FindingList): void {
  for (const agg of aggregateByTags(intervals, 'webrtc.packets_lost_pct', ['kind', 'direction'])) {
    const mean = agg.count > 0 ? agg.sum / agg.count : 0;
    if (mean <= l.lossPct) continue;
    out.add({ type: 'webrtc_loss', component: mediaName(agg.tags), severity: 'high', area: 'load', observed: mean, limit: l.lossPct,
      details: `mean packet loss ${fmt(mean, 2)}% > ${l.lossPct}% (worst interval p95 ${fmt(agg.maxP95, 2)}%)`,
      recommendation: 'Loss on loopback means a starved process drops packets: check generator and SFU CPU first, then socket buffers.',
      evidence: evidence('mediaSamples', 'webrtc.packets_lost_pct', mediaTags(agg), agg.count, where(intervals, 'webrtc.packets_lost_pct', agg, (c, s) => c > 0 && s / c > l.lossPct)) });
  }
  for (const agg of aggregateByTags(intervals, 'webrtc.audio.mos', ['kind', 'direction'])) {
    const mean = agg.count > 0 ? agg.sum / agg.count : Infinity;
    if (mean >= l.minMos) continue;
    out.add({ type: 'low_mos', component: mediaName(agg.tags), severity: 'high', area: 'load', observed: mean, limit: l.minMos,
      details: `mean audio MOS ${fmt(mean, 2)} < ${l.minMos}`,
      recommendation: 'MOS falls with RTT, jitter and loss: see which of the three moved in the WebRTC charts.',
      evidence: evidence('mediaSamples', 'webrtc.audio.mos', mediaTags(agg), agg.count, where(intervals, 'webrtc.audio.mos', agg, (c, s) => c > 0 && s / c < l.minMos)) });
  }
}

function freezes(intervals: readonly IntervalSnapshot[], out: FindingList): void {
  const freezeMs = aggregateByTags(intervals, 'webrtc.video.freeze_ms', ['kind', 'direction']);
  for (const agg of aggregateByTags(intervals, 'webrtc.video.freeze_count', ['kind', 'direction'])) {
    if (agg.sum <= 0) continue;
    const ms = freezeMs.find((f) => f.tags.kind === agg.tags.kind && f.tags.direction === agg.tags.direction)?.sum ?? 0;
    out.add({ type: 'video_freezes', component: mediaName(agg.tags), severity: agg.sum >= 10 ? 'high' : 'medium', area: 'load', observed: agg.sum, limit: 0,
      details: `${agg.sum} video freezes, ${fmt(ms / 1000)} s frozen in all`,
      recommendation: 'Freezes follow loss, CPU starvation at the decoder or keyframe starvation: check loss, generator CPU and the SFU’s keyframe requests at the freeze times.',
      evidence: evidence('freezes', 'webrtc.video.freeze_count', mediaTags(agg), agg.sum, where(intervals, 'webrtc.video.freeze_count', agg, (_c, s) => s > 0)) });
  }
}

export function mediaRules(intervals: readonly IntervalSnapshot[], limits: BottleneckLimits, out: FindingList): void {
  qualityLimited(intervals, limits, out);
  lossAndMos(intervals, limits, out);
  freezes(intervals, out);
}
