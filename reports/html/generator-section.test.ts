// The generator table says which browser ran and whether its pages were paced (--frame-rate).
import { describe, expect, it } from 'vitest';
import { makeFixtureRun } from '../testing/fixture-run.ts';
import { tableRows } from '../testing/html-table.ts';
import { buildReportHtml } from './build.ts';

describe('the generator section of the report', () => {
  const withBrowser = (browser?: { executable: string; frameRate: number }) => {
    const run = makeFixtureRun({ seed: 3, intervalCount: 8 });
    const summary = { ...run.summary, generator: { ...run.summary.generator, ...(browser ? { browser } : {}) } };
    return tableRows(buildReportHtml({ ...run, summary }), 'generator-table')!.find((r) => r[0] === 'browser');
  };

  it("names the browser and its pages' frame rate", () => {
    expect(withBrowser({ executable: '/usr/lib/chromium/chromium-headless-shell', frameRate: 4 })?.[1]).toBe('/usr/lib/chromium/chromium-headless-shell: pages paced at 4 frames/s (--frame-rate)');
    expect(withBrowser({ executable: '/usr/bin/chromium', frameRate: 0 })?.[1]).toBe('/usr/bin/chromium: every frame drawn');
  });

  it('has no browser row for a run without browser users (or a summary from before)', () => {
    expect(withBrowser()).toBeUndefined();
  });
});
