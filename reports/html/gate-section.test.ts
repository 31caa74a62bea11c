// Which thresholds are built in, and a run nothing gated says so beside its PASS.
import { describe, expect, it } from 'vitest';
import { makeFixtureRun } from '../testing/fixture-run.ts';
import { tableRows } from '../testing/html-table.ts';
import { buildReportHtml } from './build.ts';
import { gateState } from './gate-section.ts';

const pass = { result: 'pass', exitCode: 0, reasons: ['passed: the run completed; the plan defines no thresholds'] } as const;

describe('the default gate in the report', () => {
  it('marks the built-in thresholds and says what the built-in gate is', () => {
    const run = makeFixtureRun({ seed: 3, intervalCount: 8, defaultGate: true, journeyErrorRate: { chatMessaging: 0, videoCall: 0, fileUpload: 0 } });
    const html = buildReportHtml(run);
    const rows = tableRows(html, 'thresholds-table')!;
    const builtIn = rows.filter((r) => r[6] === 'built-in').map((r) => `${r[0]} ${r[1]}`);
    expect(builtIn).toContain('journey.errors{journey:videoCall} rate<0.01');
    expect(builtIn).toHaveLength(run.summary.thresholds.filter((t) => t.source === 'default').length);
    expect(rows.filter((r) => r[6] === 'plan')).toHaveLength(4);
    expect(html).toContain('built-in: the default error gate (iteration failure rate per journey &lt; 1%');
    expect(html).not.toContain('id="not-gated"');
  });

  it('says prominently that a run the plan opted out of every gate was NOT gated, and that its PASS proves only that it ran', () => {
    const run = makeFixtureRun({ seed: 3, intervalCount: 8, defaultGate: false, planThresholds: false, verdict: pass });
    expect(gateState(run.summary)).toBe('none');
    const html = buildReportHtml(run);
    const header = html.slice(html.indexOf('<header'), html.indexOf('</header>'));
    expect(header).toContain('id="not-gated-badge" class="badge badge-notgated">NOT GATED</span>');
    expect(header).toContain('opted out of the built-in error gate (defaultThresholds: false)');
    expect(header).toContain('This PASS proves only that the run ran');
    expect(tableRows(html, 'thresholds-table')).toBeUndefined();
    expect(html).toContain('no thresholds: nothing gated this run');
  });

  it('says the built-in gate is off when only the plan gated, and calls an old summary with no thresholds ungated', () => {
    const own = buildReportHtml(makeFixtureRun({ seed: 3, intervalCount: 8, defaultGate: false }));
    expect(own).toContain('The built-in error gate is off');
    expect(own).not.toContain('id="not-gated"');
    const old = makeFixtureRun({ seed: 3, intervalCount: 8, planThresholds: false, verdict: pass });
    expect(old.summary.defaultGate).toBeUndefined();
    expect(buildReportHtml(old)).toContain('the run has no thresholds, not even the built-in error gate');
  });
});
