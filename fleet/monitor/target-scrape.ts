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

/**
 * A scraper of url that records target.* figures. The first read is a probe: a target that has no
 * such endpoint (an error status, or an answer with none of our figures, as an app's HTML page) is
 * said once and never asked again — a foreign app was polled every 2 s and warned about each run.
 * Once it answered (or when the operator named the URL: `explicit`), failures are counted and the
 * first one is warned about.
 */
export function createTargetScraper(
  url: string,
  timeoutMs: number,
  record: (metric: MetricName, value: number) => void,
  onEvent: (event: RunEvent) => void,
  options: { readonly explicit?: boolean } = {},
): TargetScraper {
  let failures = 0;
  let answered = false;
  let absent = false;
  return {
    get failures() {
      return failures;
    },
    async scrape() {
      if (absent) return;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const figures = mapTargetMetrics(parsePrometheusText(await res.text()));
        if (figures.length === 0 && !answered) throw new Error('no Prometheus figure the fleet knows in the answer');
        answered = true;
        for (const [metric, value] of figures) record(metric, value);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        if (!answered && !options.explicit) {
          absent = true;
          onEvent({ timeMs: Date.now(), type: 'warning', reason: 'target_metrics', message: `the target offers no metrics at ${url} (${why}): target.* figures are not collected and it is not asked again; if it has a Prometheus endpoint elsewhere, give --target-metrics <url>` });
          return;
        }
        failures++;
        if (failures === 1) {
          onEvent({ timeMs: Date.now(), type: 'warning', reason: 'target_metrics', message: `resource monitor: cannot read ${url} (${why}); target.* metrics are missing, failures are counted` });
        }
      }
    },
  };
}
