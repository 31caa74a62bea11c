// The media server's load as /metrics lines (target.sfu_* in metrics/catalogue.ts): Janus's CPU
// and memory from /proc (its own process, apart from the Node server's process_* figures), the
// rooms, publishers and subscribers the server asked for, and what Janus says it forwarded, from
// its admin API (handle_info of this session's handles: packets and bytes in and out).
import { readFile } from 'node:fs/promises';
import type { JanusProcess } from './janus-process.ts';
import type { SfuCounts } from './sfu-calls.ts';
import type { SfuCpuCap } from './sfu-cpu-cap.ts';

/** Linux's USER_HZ: /proc/PID/stat counts CPU time in these ticks (100 on every mainstream arch). */
const CLOCK_TICKS_PER_S = 100;
/** handle_info is one admin request per handle: bounded per sample so a 1,000-call room costs a bounded scrape */
const MAX_HANDLES_PER_SAMPLE = 400;
const SAMPLE_MS = 2000;

interface Totals {
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
}

export class SfuMetrics {
  private cpuPct = 0;
  private rssMb = 0;
  private throttledPct = 0;
  /** the cap as read with the CPU figure, so one scrape's use and limit belong to the same sample */
  private limitPct = 0;
  private rates = { packetsIn: 0, packetsOut: 0, kbpsIn: 0, kbpsOut: 0 };
  private handlesSampled = 0;
  private totals: Totals = { packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 };
  private lastCpu: { ticks: number; atMs: number } | undefined;
  /** each handle's last reading, and when */
  private readonly seen = new Map<number, { totals: Totals; atMs: number }>();
  /** where the next sample starts reading handles (they take turns past MAX_HANDLES_PER_SAMPLE) */
  private cursor = 0;
  private handles = 0;
  private sampling = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly janus: JanusProcess,
    private readonly counts: SfuCounts,
    private readonly cpuCap?: SfuCpuCap,
  ) {
    // the cap is in force from the start: a scrape before the first sample completes says so
    // (one read 0 in a busy CI while the first /proc and admin reads were still under way)
    this.limitPct = (cpuCap?.cores ?? 0) * 100;
    this.timer = setInterval(() => void this.sample(), SAMPLE_MS);
    this.timer.unref();
    void this.sample();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  lines(): string[] {
    const lines: string[] = [];
    const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${Number.isFinite(value) ? Math.round(value * 1000) / 1000 : 0}`);
    };
    metric('waddle_sfu_cpu_pct', 'gauge', 'Janus process CPU over the last sample, % of one core (from /proc).', this.cpuPct);
    // the cap (sfuCpuLimit) beside the use: a capped SFU at its cap is saturated, whatever the machine has left
    metric('waddle_sfu_cpu_limit_pct', 'gauge', 'Janus CPU limit (sfuCpuLimit, a cgroup CFS quota), % of one core; 0 = no limit.', this.limitPct);
    metric('waddle_sfu_cpu_throttled_pct', 'gauge', 'Share of CFS periods in which the kernel throttled Janus at its CPU limit over the last sample, %.', this.throttledPct);
    metric('waddle_sfu_memory_mb', 'gauge', 'Janus process RSS in MB (from /proc).', this.rssMb);
    metric('waddle_sfu_rooms', 'gauge', 'VideoRooms created (one per voice channel used).', this.counts.rooms);
    metric('waddle_sfu_publishers', 'gauge', 'Participants publishing to the SFU.', this.counts.publishers);
    metric('waddle_sfu_subscribers', 'gauge', 'Subscriptions (one per receiver and publisher).', this.counts.subscribers);
    metric('waddle_sfu_peer_connections', 'gauge', 'SFU PeerConnections with ICE and DTLS up.', this.counts.webrtcUp);
    metric('waddle_sfu_errors_total', 'counter', 'Janus requests that failed or timed out.', this.counts.janusErrors);
    metric('waddle_sfu_packets_in_per_s', 'gauge', 'RTP packets Janus received per second (admin API, sampled handles).', this.rates.packetsIn);
    metric('waddle_sfu_packets_out_per_s', 'gauge', 'RTP packets Janus sent per second (admin API, sampled handles).', this.rates.packetsOut);
    metric('waddle_sfu_kbps_in', 'gauge', 'Media bitrate Janus received, kbit/s.', this.rates.kbpsIn);
    metric('waddle_sfu_kbps_out', 'gauge', 'Media bitrate Janus sent, kbit/s.', this.rates.kbpsOut);
    metric('waddle_sfu_packets_out_total', 'gauge', 'RTP packets Janus sent over the handles alive now, as last read (falls when calls end).', this.totals.packetsOut);
    metric('waddle_sfu_forwarded_packets_total', 'counter', 'RTP packets Janus sent on subscriptions that have ended (its admin API, read before each detach).', this.counts.forwardedPackets);
    metric('waddle_sfu_handles', 'gauge', 'Janus handles of the server\'s session (publishers, subscribers, room set-up).', this.handles);
    metric('waddle_sfu_handles_sampled', 'gauge', `Handles read from the admin API in the last sample (at most ${MAX_HANDLES_PER_SAMPLE}; with more, packet and bitrate figures are scaled up from them).`, this.handlesSampled);
    return lines;
  }

  private async sample(): Promise<void> {
    if (this.sampling) return;
    this.sampling = true;
    try {
      await this.sampleProc();
      await this.sampleAdmin();
    } catch {
      // Janus stopping or busy: keep the last figures; the errors counter covers the API calls that matter
    } finally {
      this.sampling = false;
    }
  }

  private async sampleProc(): Promise<void> {
    const pid = this.janus.pid;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // fields after the ")" of the command name: utime is the 14th field, stime the 15th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const atMs = performance.now();
    if (this.lastCpu) this.cpuPct = ((ticks - this.lastCpu.ticks) / CLOCK_TICKS_PER_S / ((atMs - this.lastCpu.atMs) / 1000)) * 100;
    this.lastCpu = { ticks, atMs };
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    this.rssMb = rssKb / 1024;
    this.throttledPct = (await this.cpuCap?.throttledPct().catch(() => 0)) ?? 0;
    this.limitPct = (this.cpuCap?.cores ?? 0) * 100;
  }

  /**
   * Packets and bytes per second from handle_info: each handle's counters against its own last
   * reading. At most MAX_HANDLES_PER_SAMPLE handles are read per sample, taking turns, and with more
   * handles than that the measured rate is scaled up by handles / handles read (an estimate).
   */
  private async sampleAdmin(): Promise<void> {
    const { admin, adminSecret, sessionId } = this.janus;
    const listed = await admin.request({ janus: 'list_handles', session_id: sessionId, admin_secret: adminSecret }, { timeoutMs: 2000 });
    const all = (listed['handles'] ?? []) as number[];
    const start = all.length > 0 ? this.cursor % all.length : 0;
    const picked = all.length <= MAX_HANDLES_PER_SAMPLE ? all : [...all.slice(start), ...all.slice(0, start)].slice(0, MAX_HANDLES_PER_SAMPLE);
    this.cursor = start + picked.length;
    const read = new Map<number, Totals>();
    await Promise.all(
      picked.map(async (handleId) => {
        const info = await admin.request({ janus: 'handle_info', session_id: sessionId, handle_id: handleId, admin_secret: adminSecret }, { timeoutMs: 2000 }).catch(() => undefined);
        if (info) read.set(handleId, handleTotals(info['info']));
      }),
    );
    const atMs = performance.now();
    const perSecond: Totals = { packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 };
    for (const [handleId, now] of read) {
      const before = this.seen.get(handleId);
      // a handle read for the first time has no interval yet: it counts from its next reading
      if (before) {
        const seconds = Math.max(0.001, (atMs - before.atMs) / 1000);
        for (const key of KEYS) perSecond[key] += Math.max(0, now[key] - before.totals[key]) / seconds;
      }
      this.seen.set(handleId, { totals: now, atMs });
    }
    const alive = new Set(all);
    for (const handleId of [...this.seen.keys()]) if (!alive.has(handleId)) this.seen.delete(handleId);
    const scale = read.size > 0 && all.length > read.size ? all.length / read.size : 1;
    this.rates = { packetsIn: perSecond.packetsIn * scale, packetsOut: perSecond.packetsOut * scale, kbpsIn: (perSecond.bytesIn * scale * 8) / 1000, kbpsOut: (perSecond.bytesOut * scale * 8) / 1000 };
    this.totals = { packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 };
    for (const { totals } of this.seen.values()) for (const key of KEYS) this.totals[key] += totals[key];
    this.handlesSampled = read.size;
    this.handles = all.length;
  }
}

const KEYS = ['packetsIn', 'packetsOut', 'bytesIn', 'bytesOut'] as const;

/** Sums the packets and bytes of every medium of a handle_info answer (webrtc.media[*].stats.in/out, Janus 1.1). */
export function handleTotals(info: unknown): Totals {
  const totals: Totals = { packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0 };
  type Stats = { packets?: unknown; bytes?: unknown };
  const media = ((info as { webrtc?: { media?: Record<string, unknown> } } | undefined)?.webrtc?.media ?? {}) as Record<string, { stats?: { in?: Stats; out?: Stats } }>;
  const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
  for (const medium of Object.values(media)) {
    totals.packetsIn += num(medium.stats?.in?.packets);
    totals.bytesIn += num(medium.stats?.in?.bytes);
    totals.packetsOut += num(medium.stats?.out?.packets);
    totals.bytesOut += num(medium.stats?.out?.bytes);
  }
  return totals;
}
