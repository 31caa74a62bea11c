// Failure evidence in the report: linked relative to the run folder, never outside it.
import { describe, expect, it } from 'vitest';
import { makeFixtureRun } from '../testing/fixture-run.ts';
import { tableRows } from '../testing/html-table.ts';
import { buildReportHtml } from './build.ts';
import { runFolderHref } from './evidence-section.ts';

describe('failure evidence', () => {
  it('links only relative paths inside the run folder, encoded', () => {
    expect(runFolderHref('evidence/video call #1.png')).toBe('evidence/video%20call%20%231.png');
    for (const bad of ['../x.png', 'a/../../x.png', '/etc/passwd', 'javascript:alert(1)', 'file:///etc/passwd', 'C:\\\\x.png', 'a//b.png', './a.png', '']) {
      expect(runFolderHref(bad), bad).toBeUndefined();
    }
  });

  it('puts each failure with its screenshot thumbnail, trace, DOM and console links in the failures table', () => {
    const evidence = [
      { journey: 'videoCall', step: 'wait_remote_video', reason: 'timeout', message: 'no remote video after 15000 ms', atMs: Date.UTC(2025, 0, 15, 10, 0, 40), files: ['ev/v1.zip', 'ev/v1.png', 'ev/v1.html', 'ev/v1.txt'] },
      { journey: 'chatMessaging', reason: 'network', message: 'socket closed <b>', atMs: Date.UTC(2025, 0, 15, 10, 0, 20), files: ['https://evil.example/x.png'] },
    ];
    const html = buildReportHtml(makeFixtureRun({ seed: 2, intervalCount: 4, evidence }));
    const rows = tableRows(html, 'evidence-table')!;
    expect(rows.map((r) => r.slice(0, 3))).toEqual([['+20s', 'chatMessaging', 'network'], ['+40s', 'videoCall/wait_remote_video', 'timeout']]);
    expect(html).toContain('<a class="thumb-link" href="ev/v1.png" target="_blank" rel="noopener"><img class="thumb" src="ev/v1.png" alt="screenshot: videoCall/wait_remote_video" loading="lazy"></a>');
    expect(html).toContain('<a href="ev/v1.zip">Playwright trace</a>');
    expect(html).toContain('<a href="ev/v1.html" target="_blank" rel="noopener">DOM snapshot</a>');
    expect(html).toContain('<a href="ev/v1.txt" target="_blank" rel="noopener">console log</a>');
    expect(html).not.toContain('href="https://evil.example');
    expect(rows[0]![3]).toBe('socket closed <b>');
    expect(buildReportHtml(makeFixtureRun({ seed: 2, intervalCount: 4 }))).toContain('this run recorded no failure evidence');
  });
});
