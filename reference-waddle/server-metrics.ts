// Server-side counters and the Prometheus text exposition served at GET /metrics, so the
// fleet can watch the target while it loads it (target.* metrics in metrics/catalogue.ts).
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LiveGauges {
  wsConnections(): number;
  voiceRooms(): number;
  voiceParticipants(): number;
}

export class ServerMetrics {
  wsMessagesReceived = 0;
  wsMessagesSent = 0;
  chatMessages = 0;
  wsErrors = 0;
  uploadsInFlight = 0;
  uploadBytes = 0;
  uploadsCompleted = 0;
  /** more exposition lines (SFU mode: the media server's figures, sfu/sfu-metrics.ts) */
  extraLines: () => string[] = () => [];

  // per-second rates, recomputed once a second from the totals
  private rates = { received: 0, sent: 0, chat: 0, cpuPct: 0 };
  private last = { received: 0, sent: 0, chat: 0, atMs: performance.now(), cpu: process.cpuUsage() };
  private readonly loopDelay: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly gauges: LiveGauges) {
    this.loopDelay.enable();
    this.timer = setInterval(() => this.tick(), 1000);
    // a metrics timer must never keep the process alive
    this.timer.unref();
  }

  private tick(): void {
    const nowMs = performance.now();
    const seconds = Math.max(0.001, (nowMs - this.last.atMs) / 1000);
    const cpu = process.cpuUsage(this.last.cpu);
    this.rates = {
      received: (this.wsMessagesReceived - this.last.received) / seconds,
      sent: (this.wsMessagesSent - this.last.sent) / seconds,
      chat: (this.chatMessages - this.last.chat) / seconds,
      cpuPct: ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100,
    };
    this.last = { received: this.wsMessagesReceived, sent: this.wsMessagesSent, chat: this.chatMessages, atMs: nowMs, cpu: process.cpuUsage() };
  }

  stop(): void {
    clearInterval(this.timer);
    this.loopDelay.disable();
  }

  /** Prometheus text format 0.0.4. */
  render(): string {
    const nsToMs = (ns: number): number => (Number.isFinite(ns) ? ns / 1e6 : 0);
    const lines: string[] = [];
    const metric = (name: string, type: 'gauge' | 'counter', help: string, value: number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name} ${Number.isFinite(value) ? round(value) : 0}`);
    };
    metric('waddle_ws_connections', 'gauge', 'Open WebSocket connections.', this.gauges.wsConnections());
    metric('waddle_ws_messages_received_total', 'counter', 'WebSocket frames received from clients.', this.wsMessagesReceived);
    metric('waddle_ws_messages_sent_total', 'counter', 'WebSocket frames sent to clients.', this.wsMessagesSent);
    metric('waddle_ws_messages_received_per_second', 'gauge', 'WebSocket frames received per second (last second).', this.rates.received);
    metric('waddle_ws_messages_sent_per_second', 'gauge', 'WebSocket frames sent per second (last second).', this.rates.sent);
    metric('waddle_ws_errors_total', 'counter', 'Error frames sent to clients (bad input, rate limit...).', this.wsErrors);
    metric('waddle_chat_messages_total', 'counter', 'Chat messages accepted.', this.chatMessages);
    metric('waddle_chat_messages_per_second', 'gauge', 'Chat messages accepted per second (last second).', this.rates.chat);
    metric('waddle_uploads_in_flight', 'gauge', 'Uploads created and not yet completed.', this.uploadsInFlight);
    metric('waddle_upload_bytes_total', 'counter', 'Upload payload bytes received.', this.uploadBytes);
    metric('waddle_uploads_completed_total', 'counter', 'Uploads verified and posted.', this.uploadsCompleted);
    metric('waddle_voice_rooms', 'gauge', 'Voice rooms with at least one participant.', this.gauges.voiceRooms());
    metric('waddle_voice_participants', 'gauge', 'Voice participants over all rooms.', this.gauges.voiceParticipants());
    metric('waddle_event_loop_delay_mean_ms', 'gauge', 'Event-loop delay mean since start.', nsToMs(this.loopDelay.mean));
    metric('waddle_event_loop_delay_p99_ms', 'gauge', 'Event-loop delay p99 since start.', nsToMs(this.loopDelay.percentile(99)));
    metric('waddle_event_loop_delay_max_ms', 'gauge', 'Event-loop delay max since start.', nsToMs(this.loopDelay.max));
    metric('process_cpu_percent', 'gauge', 'Process CPU over the last second, % of one core.', this.rates.cpuPct);
    metric('process_resident_memory_bytes', 'gauge', 'Process RSS.', process.memoryUsage.rss());
    lines.push(...this.extraLines());
    return `${lines.join('\n')}\n`;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
