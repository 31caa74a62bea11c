import { describe, expect, it } from 'vitest';
import { mapTargetMetrics, parsePrometheusText } from './target-scrape.ts';

describe('Prometheus text → target.* metrics', () => {
  it('parses and maps with the table, summing labelled series', () => {
    const text = [
      '# HELP waddle_ws_connections Open sockets.',
      '# TYPE waddle_ws_connections gauge',
      'waddle_ws_connections 12',
      'process_resident_memory_bytes 104857600',
      'waddle_chat_messages_per_second{channel="a"} 3',
      'waddle_chat_messages_per_second{channel="b"} 4.5',
      'waddle_unknown_thing 9',
      'garbage line',
      'process_cpu_percent NaN',
    ].join('\n');
    const parsed = parsePrometheusText(text);
    expect(parsed.get('waddle_chat_messages_per_second')).toBe(7.5);
    expect(new Map(mapTargetMetrics(parsed))).toEqual(
      new Map([
        ['target.ws_connections', 12],
        ['target.memory_mb', 100],
        ['target.messages_per_s', 7.5],
      ]),
    );
  });
});
