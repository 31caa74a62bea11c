import { describe, expect, it } from 'vitest';
import type { IntervalSnapshot, SeriesAggregate } from '../../metrics/types.ts';
import { networkRows, networkSection } from './network-section.ts';

const s = (metric: string, tags: Record<string, string>, count: number, sum: number): SeriesAggregate => ({ metric, kind: 'trend', tags, count, sum, min: 0, max: 0 });
const interval = (series: SeriesAggregate[]): IntervalSnapshot => ({ runId: 'r', shard: '1/1', startMs: 0, endMs: 1000, phase: 'p', series });

describe('the report\'s Networks section', () => {
  it('gives per network the mean of what its users received, over every series and interval', () => {
    const intervals = [
      interval([
        s('webrtc.audio.mos', { network: '3g', kind: 'audio', direction: 'inbound' }, 2, 6),
        s('webrtc.audio.mos', { network: '3g', kind: 'audio', direction: 'outbound' }, 2, 9), // not what 3g users received
        s('webrtc.audio.mos', { network: 'none', kind: 'audio', direction: 'inbound' }, 1, 4.4),
        s('webrtc.video.freeze_count', { network: '3g', kind: 'video', direction: 'inbound' }, 1, 2),
      ]),
      interval([s('webrtc.audio.mos', { network: '3g', kind: 'audio', direction: 'inbound' }, 2, 4), s('webrtc.video.freeze_count', { network: '3g', kind: 'video', direction: 'inbound' }, 1, 3)]),
    ];
    expect(networkRows(intervals)).toEqual([
      { network: '3g', values: [2.5, 5] },
      { network: 'none', values: [4.4, null] },
    ]);
    expect(networkSection(intervals, 'relay')).toContain('<h2>Networks</h2>');
  });

  it('is absent when no series carries a network tag', () => {
    expect(networkSection([interval([s('webrtc.audio.mos', { kind: 'audio', direction: 'inbound' }, 1, 4)])])).toBe('');
  });
});
