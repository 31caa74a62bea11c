// The target's own figures, when it offers a Prometheus text /metrics endpoint: mapped onto
// catalogue names (target.*). A dead endpoint is counted and warned about once, never thrown.
import { isMetricName, type MetricName } from '../../metrics/catalogue.ts';
import type { RunEvent } from '../../metrics/types.ts';

/** Prometheus name → catalogue name and a unit factor. Unknown waddle_<x> map to target.<x> when the catalogue has it. */
export const targetMetricTable: Readonly<Record<string, readonly [MetricName, number]>> = {
  waddle_ws_connections: ['target.ws_connections', 1],
  process_cpu_percent: ['target.cpu_pct', 1],
  process_resident_memory_bytes: ['target.memory_mb', 1 / (1024 * 1024)],
  waddle_chat_messages_per_second: ['target.messages_per_s', 1],
  waddle_event_loop_delay_p99_ms: ['target.event_loop_delay_ms', 1],
};

/** Unlabelled samples of a Prometheus text exposition (labelled series are summed per name). */
export function parsePrometheusText(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || !m[1] || !m[3]) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    out.set(m[1], (out.get(m[1]) ?? 0) + value);
  }
  return out;
}

export function mapTargetMetrics(samples: ReadonlyMap<string, number>): Array<[MetricName, number]> {
  const out: Array<[MetricName, number]> = [];
  for (const [name, value] of samples) {
    const mapped = targetMetricTable[name];
    if (mapped) out.push([mapped[0], value * mapped[1]]);
    else if (name.startsWith('waddle_')) {
      const guess = `target.${name.slice('waddle_'.length)}`;
      if (isMetricName(guess) && !Object.values(targetMetricTable).some(([m]) => m === guess)) out.push([guess, value]);
    }
  }
  return out;
}

export interface TargetScraper {
  /** read the endpoint once and record what it says; never throws */
  scrape(): Promise<void>;
  readonly failures: number;
}

/** A scraper of url that records target.* figures; failures are counted, the first one is warned about. */
export function createTargetScraper(
  url: string,
  timeoutMs: number,
  record: (metric: MetricName, value: number) => void,
  onEvent: (event: RunEvent) => void,
): TargetScraper {
  let failures = 0;
  return {
    get failures() {
      return failures;
    },
    async scrape() {
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        for (const [metric, value] of mapTargetMetrics(parsePrometheusText(await res.text()))) record(metric, value);
      } catch (err) {
        failures++;
        if (failures === 1) {
          onEvent({ timeMs: Date.now(), type: 'warning', reason: 'target_metrics', message: `resource monitor: cannot read ${url} (${err instanceof Error ? err.message : String(err)}); target.* metrics are missing, failures are counted` });
        }
      }
    },
  };
}
