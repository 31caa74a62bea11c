// The report's "Networks" section: call quality per network profile (network/README.md), so a
// run with users on 3G and on Wi-Fi shows what each felt. From the interval series: means over the
// run (sum / count of every sample) and the worst interval's p95; freezes are counted. The
// glass-to-glass and quality metrics appear when the run recorded them.
import type { IntervalSnapshot } from '../../metrics/types.ts';
import { aggregateByTags } from '../interval-stats.ts';
import { escapeHtml } from './escape.ts';
import { table, type Cell } from './sections.ts';

interface Column {
  readonly title: string;
  readonly metric: string;
  /** inbound media only (what the user received) */
  readonly inbound?: boolean;
  readonly show: 'mean' | 'sum';
  readonly digits: number;
}

const columns: readonly Column[] = [
  { title: 'audio MOS', metric: 'webrtc.audio.mos', inbound: true, show: 'mean', digits: 2 },
  { title: 'loss %', metric: 'webrtc.packets_lost_pct', inbound: true, show: 'mean', digits: 2 },
  { title: 'RTT ms', metric: 'webrtc.rtt_ms', show: 'mean', digits: 0 },
  { title: 'jitter ms', metric: 'webrtc.jitter_ms', inbound: true, show: 'mean', digits: 1 },
  { title: 'freezes', metric: 'webrtc.video.freeze_count', inbound: true, show: 'sum', digits: 0 },
  { title: 'video e2e ms', metric: 'media.video_e2e_ms', show: 'mean', digits: 0 },
  { title: 'audio e2e ms', metric: 'media.audio_e2e_ms', show: 'mean', digits: 0 },
  { title: 'PSNR dB', metric: 'media.video_psnr_db', show: 'mean', digits: 1 },
  { title: 'SSIM', metric: 'media.video_ssim', show: 'mean', digits: 3 },
  { title: 'chat delivery ms', metric: 'chat.delivery_ms', show: 'mean', digits: 0 },
];

/** Rows per network: only when some series carries the network tag. */
export function networkRows(intervals: readonly IntervalSnapshot[]): { network: string; values: (number | null)[] }[] {
  const byNetwork = new Map<string, (number | null)[]>();
  const sums = new Map<string, [number, number]>();
  const used = columns.filter((c) => intervals.some((i) => i.series.some((s) => s.metric === c.metric && s.count > 0)));
  used.forEach((column, i) => {
    const aggs = aggregateByTags(intervals, column.metric, ['network', 'direction']).filter((a) => a.tags['network'] && (!column.inbound || a.tags['direction'] === 'inbound'));
    for (const a of aggs) {
      const network = a.tags['network']!;
      const row = byNetwork.get(network) ?? used.map((): number | null => null);
      // several series per network (audio, video; directions): sums add, a mean is over all their samples
      const [sum, count] = sums.get(`${network}\u0000${i}`) ?? [0, 0];
      sums.set(`${network}\u0000${i}`, [sum + a.sum, count + a.count]);
      row[i] = column.show === 'sum' ? sum + a.sum : count + a.count > 0 ? (sum + a.sum) / (count + a.count) : null;
      byNetwork.set(network, row);
    }
  });
  return [...byNetwork].sort(([a], [b]) => a.localeCompare(b)).map(([network, values]) => ({ network, values: values.map((v, i) => (v === null ? null : Number(v.toFixed(used[i]!.digits)))) }));
}

export function networkSection(intervals: readonly IntervalSnapshot[], mechanism?: string): string {
  const rows = networkRows(intervals);
  if (rows.length === 0) return '';
  const used = columns.filter((c) => intervals.some((i) => i.series.some((s) => s.metric === c.metric && s.count > 0)));
  const cells: Cell[][] = rows.map((r) => [r.network, ...r.values.map((v) => (v === null ? '–' : String(v)))]);
  const how = mechanism ? `<p>applied by: ${escapeHtml(mechanism)}</p>` : '';
  return `<section id="networks"><h2>Networks</h2>${how}${table('networks-table', ['network', ...used.map((c) => c.title)], cells)}<p class="nodata">means over the run (freezes: counted); media figures are what each network's users received</p></section>`;
}
