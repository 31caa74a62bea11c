// Reads a table of report.html as text cells, for unit tests that check what a reader sees.
const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const text = (html: string): string => html.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|#39);/g, (m) => entities[m] ?? m).trim();

/** Body rows of <table id="id">, each a list of cell texts; undefined when there is no such table. */
export function tableRows(html: string, id: string): string[][] | undefined {
  const start = html.indexOf(`<table id="${id}">`);
  if (start < 0) return undefined;
  const body = html.slice(html.indexOf('<tbody>', start), html.indexOf('</table>', start));
  return [...body.matchAll(/<tr>(.*?)<\/tr>/gs)].map((row) => [...row[1]!.matchAll(/<td[^>]*>(.*?)<\/td>/gs)].map((cell) => text(cell[1]!)));
}

/** Header cells of the table's last header row. */
export function tableHeaders(html: string, id: string): string[] {
  const start = html.indexOf(`<table id="${id}">`);
  const head = html.slice(start, html.indexOf('</thead>', start));
  const rows = [...head.matchAll(/<tr[^>]*>(.*?)<\/tr>/gs)];
  return [...(rows.at(-1)?.[1] ?? '').matchAll(/<th[^>]*>(.*?)<\/th>/gs)].map((c) => text(c[1]!));
}
