// What the page looked like when a step failed (summary.evidence, captured by the run for the
// first few failures per journey and step): screenshots as thumbnails that open full size, the
// Playwright trace, the DOM snapshot and the console log, linked relative to the run folder so the
// report works from the folder, a CI artefact or a web server. Paths come from the run: only
// relative paths inside the folder are linked; anything else is shown as text, never followed.
import type { FailureEvidence, RunSummary } from '../../metrics/run-summary.ts';
import { escapeHtml as e } from './escape.ts';
import { fmtDuration, table, type Cell } from './sections.ts';

/** An href for a path inside the run folder, or undefined when the path could leave it. */
export function runFolderHref(file: string): string | undefined {
  if (!file || file.includes('\\') || file.startsWith('/') || /^[a-z][a-z0-9+.-]*:/i.test(file)) return undefined;
  const parts = file.split('/');
  if (parts.some((p) => p === '..' || p === '.' || p === '')) return undefined;
  return parts.map(encodeURIComponent).join('/');
}

const kindOf = (file: string): 'image' | 'trace' | 'dom' | 'log' | 'file' => {
  const ext = file.toLowerCase().split('.').pop() ?? '';
  if (['png', 'jpg', 'jpeg', 'webp'].includes(ext)) return 'image';
  if (ext === 'zip') return 'trace';
  if (ext === 'html' || ext === 'htm' || ext === 'mhtml') return 'dom';
  if (ext === 'txt' || ext === 'log') return 'log';
  return 'file';
};

function fileLink(file: string, where: string, missing: ReadonlySet<string>): string {
  const href = runFolderHref(file);
  if (!href) return `<span class="warn">${e(file)} (not a path inside the run folder; not linked)</span>`;
  if (missing.has(file)) return `<span class="warn">${e(file)} (missing from the run folder)</span>`;
  switch (kindOf(file)) {
    case 'image':
      return `<a class="thumb-link" href="${e(href)}" target="_blank" rel="noopener"><img class="thumb" src="${e(href)}" alt="screenshot: ${e(where)}" loading="lazy"></a>`;
    case 'trace':
      return `<a href="${e(href)}">Playwright trace</a> <small>(npx playwright show-trace ${e(file)}, or trace.playwright.dev)</small>`;
    case 'dom':
      return `<a href="${e(href)}" target="_blank" rel="noopener">DOM snapshot</a>`;
    case 'log':
      return `<a href="${e(href)}" target="_blank" rel="noopener">console log</a>`;
    default:
      return `<a href="${e(href)}">${e(file)}</a>`;
  }
}

function evidenceRow(item: FailureEvidence, startMs: number, missing: ReadonlySet<string>): Cell[] {
  const where = item.step ? `${item.journey}/${item.step}` : item.journey;
  const offset = Number.isFinite(startMs) && item.atMs >= startMs ? `+${fmtDuration(item.atMs - startMs)}` : '';
  const files = [...item.files].sort((a, b) => (kindOf(a) === 'image' ? -1 : 0) - (kindOf(b) === 'image' ? -1 : 0));
  return [offset, where, item.reason, { html: `<pre>${e(item.message)}</pre>` }, { html: `<div class="evidence-files">${files.map((f) => fileLink(f, where, missing)).join(' ')}</div>` }];
}

export function evidenceTable(summary: RunSummary, missingFiles: readonly string[] = []): string {
  const items = [...(summary.evidence ?? [])].sort((a, b) => a.atMs - b.atMs);
  const missing = new Set(missingFiles);
  const rows = items.map((item) => evidenceRow(item, Date.parse(summary.startedAt), missing));
  const empty = summary.evidence === undefined ? 'this run recorded no failure evidence' : 'no failure evidence: no step failed';
  return `<h3 id="evidence">What the page looked like when it failed</h3>${table('evidence-table', ['at', 'journey/step', 'reason', 'message', 'screenshot, trace, DOM, console'], rows, empty)}`;
}
