// The four boards. Each panel's query reads exactly what the InfluxDB sink writes (see panels.ts);
// test/dashboards.parallel.e2e.test.ts runs every one of them against a real InfluxDB to prove it.
import { RowBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { board, driverVariable, journeyVariable, kindVariable } from './common.ts';
import { runFilter } from './influxql.ts';
import { counterPerMinute, gaugePerShard, gaugeSum, ratePct, stat, timeseries, trendMean, trendPercentile } from './panels.ts';

const media = ['kind', 'direction'];

export function overviewBoard(): Dashboard {
  return board('waddle-overview', 'Waddle fleet — overview', 'Users, phases, errors and latencies of one load-test run')
    .withVariable(journeyVariable())
    .withVariable(driverVariable())
    .withPanel(stat('Current phase', 'none', { query: `SELECT last("message") FROM "events" WHERE "type" = 'phase_start' AND ${runFilter}` }))
    .withPanel(stat('Active users', 'none', gaugeSum('users.active', [], 'journey', 'users')))
    .withPanel(stat('Step error rate', 'percent', ratePct('step.errors', [], 'journey', 'errors')))
    .withPanel(stat('Failed journeys', 'percent', ratePct('journey.errors', [], 'journey', 'failed')))
    .withRow(new RowBuilder('Load'))
    .withPanel(timeseries('Active users by journey and driver', 'none', [gaugeSum('users.active', ['journey', 'driver'], 'journey')]))
    .withPanel(timeseries('Users started per minute', 'none', [counterPerMinute('users.started', ['journey'], 'journey')]))
    .withRow(new RowBuilder('Errors'))
    .withPanel(timeseries('Step error rate by journey', 'percent', [ratePct('step.errors', ['journey'], 'journey')]))
    .withPanel(timeseries('Step errors by step', 'none', [{ query: `SELECT sum("nonZero") FROM "step.errors" WHERE ${runFilter} AND "journey" =~ /^$journey$/ GROUP BY time($__interval), "journey", "step" fill(0)`, alias: '$tag_journey / $tag_step' }]))
    .withRow(new RowBuilder('Latency'))
    .withPanel(timeseries('Step p95 (worst interval)', 'ms', [trendPercentile('step.duration_ms', 'p95', ['journey', 'step'], 'journey', '')]))
    .withPanel(timeseries('Chat delivery p95 by driver', 'ms', [trendPercentile('chat.delivery_ms', 'p95', ['driver'], 'journey')]))
    .withPanel(timeseries('Messages per minute', 'none', [counterPerMinute('chat.messages_sent', [], 'journey', 'sent'), counterPerMinute('chat.messages_received', [], 'journey', 'received')]))
    .withPanel(timeseries('Schedule lag p95', 'ms', [trendPercentile('users.schedule_lag_ms', 'p95', ['journey'], 'journey', '')]))
    .build();
}

export function webrtcBoard(): Dashboard {
  return board('waddle-webrtc', 'Waddle fleet — WebRTC quality', 'getStats from every peer connection, by media kind and direction')
    .withVariable(kindVariable())
    .withVariable(driverVariable())
    .withPanel(timeseries('Bitrate (mean)', 'Kbits', [trendMean('webrtc.bitrate_kbps', media, 'kind', '')]))
    .withPanel(timeseries('RTP packets per minute', 'none', [counterPerMinute('webrtc.packets', media, 'kind')], { description: "kind audio, direction inbound is the seed's voice packets per minute" }))
    .withPanel(timeseries('Packet loss p95', 'percent', [trendPercentile('webrtc.packets_lost_pct', 'p95', media, 'kind', '')]))
    .withPanel(timeseries('Jitter p95', 'ms', [trendPercentile('webrtc.jitter_ms', 'p95', media, 'kind', '')]))
    .withPanel(timeseries('Round-trip time p95', 'ms', [trendPercentile('webrtc.rtt_ms', 'p95', media, 'kind', '')]))
    .withPanel(timeseries('Frames per second (mean)', 'none', [trendMean('webrtc.fps', media, 'kind', '')]))
    .withPanel(timeseries('Frame height (p50)', 'none', [trendPercentile('webrtc.frame_height_px', 'p50', media, 'kind', '')]))
    .withPanel(timeseries('Video freezes per minute', 'none', [counterPerMinute('webrtc.video.freeze_count', media, 'kind')]))
    .withPanel(timeseries('Freeze time p95 per interval', 'ms', [trendPercentile('webrtc.video.freeze_ms', 'p95', media, 'kind', '')]))
    .withPanel(timeseries('Audio MOS (mean and worst p50)', 'none', [trendMean('webrtc.audio.mos', media, 'kind'), trendPercentile('webrtc.audio.mos', 'p50', media, 'kind')]))
    .withPanel(timeseries('Concealed audio p95', 'percent', [trendPercentile('webrtc.audio.concealed_pct', 'p95', media, 'kind', '')]))
    .withPanel(timeseries('Outbound video limited by', 'percent', [ratePct('webrtc.quality_limited_cpu', media, 'kind', 'cpu'), ratePct('webrtc.quality_limited_bandwidth', media, 'kind', 'bandwidth')]))
    .withPanel(timeseries('Time to first remote media p95', 'ms', [trendPercentile('media.first_remote_ms', 'p95', ['kind'], 'kind', ''), trendPercentile('webrtc.first_frame_ms', 'p95', ['kind'], 'kind', 'first frame')]))
    .withPanel(timeseries('Peer connections', 'none', [gaugeSum('webrtc.connections', [], 'none', 'open')]))
    .withPanel(timeseries('Connection failures per minute', 'none', [counterPerMinute('webrtc.connection_failures', [], 'none', 'failed')]))
    .build();
}

export function chatUploadsBoard(): Dashboard {
  return board('waddle-chat-uploads', 'Waddle fleet — chat and uploads', 'Message delivery, presence, reactions, chunked uploads and verified downloads')
    .withVariable(journeyVariable())
    .withVariable(driverVariable())
    .withPanel(timeseries('Chat delivery latency by driver', 'ms', (['p50', 'p95', 'p99'] as const).map((p) => trendPercentile('chat.delivery_ms', p, ['driver'], 'journey'))))
    .withPanel(timeseries('Send → server ack p95', 'ms', [trendPercentile('chat.send_ack_ms', 'p95', ['journey'], 'journey')]))
    .withPanel(timeseries('Messages per minute', 'none', [counterPerMinute('chat.messages_sent', ['journey'], 'journey', 'sent'), counterPerMinute('chat.messages_received', ['journey'], 'journey', 'received')]))
    .withPanel(timeseries('Presence propagation p95', 'ms', [trendPercentile('presence.propagation_ms', 'p95', ['journey'], 'journey')]))
    .withPanel(timeseries('Reactions per minute', 'none', [counterPerMinute('reactions.sent', ['journey'], 'journey')]))
    .withPanel(timeseries('Voice join p95', 'ms', [trendPercentile('voice.join_ms', 'p95', ['journey'], 'journey')]))
    .withPanel(timeseries('Connection drops and reconnections per minute', 'none', [counterPerMinute('connection.drops', ['journey'], 'journey', 'drops'), counterPerMinute('connection.reconnects', ['journey'], 'journey', 'reconnects'), counterPerMinute('connection.protocol_errors', ['journey'], 'journey', 'protocol errors')]))
    .withRow(new RowBuilder('Long histories'))
    .withPanel(timeseries('History load p95 (open a channel)', 'ms', [trendPercentile('chat.history_load_ms', 'p95', ['driver'], 'journey')]))
    .withPanel(timeseries('History page p95 (scrolling up)', 'ms', [trendPercentile('chat.history_page_ms', 'p95', ['driver'], 'journey')]))
    .withPanel(timeseries('History pages per minute', 'none', [counterPerMinute('chat.history_pages', ['journey'], 'journey')]))
    .withPanel(timeseries('Messages held by the long channel', 'none', [trendMean('chat.history_messages', ['journey'], 'journey')]))
    .withPanel(timeseries('Scroll frames over 50 ms', 'percent', [ratePct('chat.scroll_long_frames', ['journey'], 'journey')]))
    .withRow(new RowBuilder('Uploads'))
    .withPanel(timeseries('Upload duration', 'ms', [trendPercentile('upload.duration_ms', 'p50', ['journey'], 'journey'), trendPercentile('upload.duration_ms', 'p95', ['journey'], 'journey')]))
    .withPanel(timeseries('Upload throughput (mean)', 'Mbits', [trendMean('upload.throughput_mbps', ['journey'], 'journey')]))
    .withPanel(timeseries('Bytes uploaded per minute', 'decbytes', [counterPerMinute('upload.bytes', ['journey'], 'journey')]))
    .withPanel(timeseries('Download duration p95', 'ms', [trendPercentile('download.duration_ms', 'p95', ['journey'], 'journey')]))
    .withPanel(timeseries('Download checksum mismatches', 'percent', [ratePct('download.verify_errors', ['journey'], 'journey')]))
    .withPanel(timeseries('Journey duration p95', 'ms', [trendPercentile('journey.duration_ms', 'p95', ['journey'], 'journey')]))
    .build();
}

export function generatorHealthBoard(): Dashboard {
  return board('waddle-generator', 'Waddle fleet — generator health', 'Is the load generator itself healthy? A saturated generator is not a slow target.')
    .withPanel(timeseries('Fleet CPU (% of machine)', 'percent', [gaugePerShard('generator.cpu_pct', 'fleet'), gaugePerShard('generator.system_cpu_pct', 'machine')]))
    .withPanel(timeseries('Process CPU (% of one core)', 'percent', [gaugePerShard('generator.node_cpu_pct', 'node'), gaugePerShard('generator.browser_cpu_pct', 'browsers')]))
    .withPanel(timeseries('Fleet memory', 'decmbytes', [gaugePerShard('generator.memory_mb', 'RSS'), gaugePerShard('generator.node_heap_mb', 'main heap'), gaugePerShard('generator.worker_heap_mb', 'worker heaps')]))
    .withPanel(timeseries('Machine memory used', 'percent', [gaugePerShard('generator.system_memory_pct', 'used')]))
    .withPanel(timeseries('Waiting for a CPU (% of runnable time)', 'percent', [gaugePerShard('generator.cpu_wait_pct', 'waiting'), gaugePerShard('generator.cpu_starved_pct', 'starved by others')], { description: 'starved by others over 50% (median of 10 s) marks the run saturated' }))
    .withPanel(timeseries('Event-loop delay', 'ms', [trendPercentile('generator.event_loop_delay_ms', 'p99', ['shard'], 'none'), trendPercentile('generator.event_loop_delay_ms', 'max', ['shard'], 'none')]))
    .withPanel(timeseries('Longest GC pause', 'ms', [trendPercentile('generator.gc_pause_ms', 'max', ['shard', 'thread', 'kind'], 'none')], { description: 'a pause stops its thread\'s event loop: major (mark-compact) pauses of a worker show as event-loop delay spikes' }))
    .withPanel(timeseries('Browsers and contexts', 'none', [gaugeSum('generator.browsers', [], 'none', 'browsers'), gaugeSum('generator.contexts', [], 'none', 'contexts')]))
    .withRow(new RowBuilder('Target (when it exposes /metrics)'))
    .withPanel(timeseries('Target CPU (% of one core)', 'percent', [gaugePerShard('target.cpu_pct', 'cpu')]))
    .withPanel(timeseries('Target memory', 'decmbytes', [gaugePerShard('target.memory_mb', 'RSS')]))
    .withPanel(timeseries('Target WebSocket connections', 'none', [gaugePerShard('target.ws_connections', 'connections')]))
    .withPanel(timeseries('Target messages per second', 'none', [gaugePerShard('target.messages_per_s', 'msg/s')]))
    .withPanel(timeseries('Target event-loop delay', 'ms', [gaugePerShard('target.event_loop_delay_ms', 'delay')]))
    .build();
}
