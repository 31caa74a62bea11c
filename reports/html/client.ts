// The report's own styles and browser script, kept as strings because report.html inlines them.
// The script reads the chart data from <script id="report-data" type="application/json">,
// draws each chart with uPlot, and marks <body data-charts-ready> when done (tests wait for it).

export const reportCss = `
:root { --fg:#1d2330; --muted:#5b6475; --line:#dde2ea; --bg:#ffffff; --panel:#f6f8fb; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
header { padding: 20px 28px; border-bottom: 1px solid var(--line); display: flex; gap: 18px; align-items: center; flex-wrap: wrap; }
header h1 { font-size: 20px; margin: 0; }
main { padding: 8px 28px 40px; max-width: 1500px; }
section { margin-top: 26px; }
h2 { font-size: 17px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 14px 0 6px; color: var(--muted); }
.badge { display: inline-block; padding: 6px 14px; border-radius: 6px; font-weight: 700; letter-spacing: .06em; color: #fff; font-size: 15px; }
.badge-pass { background: #1a7f37; } .badge-fail { background: #cf222e; } .badge-inconclusive { background: #b7791f; } .badge-interrupted { background: #57606a; } .badge-notgated { background: #cf222e; }
#not-gated { flex-basis: 100%; margin: 4px 0 0; font-size: 15px; }
.builtin { color: #0b5cad; font-weight: 600; }
ul.reasons { margin: 6px 0 0; padding-left: 18px; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 4px 9px; text-align: left; vertical-align: top; }
th { background: var(--panel); font-weight: 600; }
td.num { text-align: right; }
tr.groups th { text-align: center; font-weight: 500; color: var(--muted); }
.ok { color: #1a7f37; font-weight: 600; } .bad { color: #cf222e; font-weight: 600; } .warn { color: #b7791f; font-weight: 600; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 0; }
dl.facts dt { color: var(--muted); } dl.facts dd { margin: 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(640px, 1fr)); gap: 14px; }
.chart { border: 1px solid var(--line); border-radius: 6px; padding: 8px; background: #fff; }
.chart h3 { margin: 0 0 4px; color: var(--fg); }
.chart-many { grid-column: 1 / -1; }
.chart-many .u-legend { font-size: 12px; text-align: left; }
.chart-many .u-legend .u-series { padding: 1px 6px; }
.chart-many .u-legend .u-off > * { opacity: 0.45; }
.chart p.note button { font: inherit; font-size: 12px; padding: 1px 8px; margin-left: 4px; cursor: pointer; }
.nodata { color: var(--muted); font-style: italic; }
.sev-critical { color: #cf222e; font-weight: 700; } .sev-high { color: #bc4c00; font-weight: 700; } .sev-medium { color: #b7791f; } .sev-low { color: var(--muted); }
.banner { border: 2px solid #b7791f; background: #fff8e6; border-radius: 6px; padding: 4px 16px 10px; }
.banner-bad { border-color: #cf222e; background: #fff0f0; }
.banner h2 { border: none; margin: 8px 0 4px; }
.evidence { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; color: var(--muted); }
.gate-note { color: #8a5a00; }
.evidence, .gate-note { overflow-wrap: anywhere; }
#bottlenecks table, #recommendations table { width: 100%; }
#bottlenecks td:nth-child(4), #bottlenecks td:nth-child(6) { min-width: 220px; }
p.note { color: var(--muted); margin: 2px 0 6px; }
.thumb { max-width: 240px; max-height: 150px; border: 1px solid var(--line); border-radius: 4px; display: block; }
.evidence-files { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
pre { background: var(--panel); padding: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-word; margin: 4px 0; }
`;

export const reportScript = `
// drawReportCharts is global so a live view (live/) can redraw after it swapped the page's data in
function drawReportCharts() {
  var palette = ['#2f6fde', '#e8590c', '#2b8a3e', '#c2255c', '#7048e8', '#0c8599', '#e67700', '#5c940d', '#a61e4d', '#1864ab', '#d9480f', '#087f5b'];
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var drawn = 0;
  var plots = {};
  data.charts.forEach(function (chart) {
    var el = document.getElementById('chart-' + chart.id);
    if (!el || chart.series.length === 0) return;
    var width = Math.max(320, el.clientWidth - 16);
    var opts = {
      width: width, height: 260,
      scales: { x: { time: true } },
      legend: { live: false },
      axes: [{}, { label: chart.unit, size: 60 }],
      series: [{}].concat(chart.series.map(function (s, i) {
        // past the palette, lines repeat a colour with a dash, so no two lines look the same
        var dash = i < palette.length ? undefined : [[6, 3], [2, 3], [10, 4, 2, 4]][Math.floor(i / palette.length - 1) % 3];
        return { label: s.label, stroke: palette[i % palette.length], width: 2, dash: dash, show: s.shown !== false, spanGaps: false, points: { show: chart.x.length < 60 } };
      }))
    };
    plots[chart.id] = { plot: new uPlot(opts, [chart.x].concat(chart.series.map(function (s) { return s.values; })), el), chart: chart };
    drawn++;
  });
  document.querySelectorAll('button[data-chart-show]').forEach(function (button) {
    button.addEventListener('click', function () {
      var entry = plots[button.getAttribute('data-for')];
      if (!entry) return;
      var all = button.getAttribute('data-chart-show') === 'all';
      entry.chart.series.forEach(function (s, i) { entry.plot.setSeries(i + 1, { show: all || s.shown !== false }); });
    });
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
  document.body.setAttribute('data-charts-ready', 'true');
}
drawReportCharts();
`;

/**
 * The live view's refresh (`--live`): every refreshMs it fetches the page again and swaps the
 * header, the body and the chart data in place (no reload: the reader keeps their scroll), then
 * redraws. When the fleet has gone (the run ended) it says so and stops.
 */
export function liveRefreshScript(refreshMs: number): string {
  return `
(function () {
  var updates = 0;
  var timer = setInterval(function () {
    fetch(location.pathname, { cache: 'no-store' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.text();
    }).then(function (html) {
      var next = new DOMParser().parseFromString(html, 'text/html');
      ['verdict', 'report-data'].forEach(function (id) {
        var el = document.getElementById(id), fresh = next.getElementById(id);
        if (el && fresh) el.replaceWith(fresh);
      });
      var main = document.querySelector('main'), freshMain = next.querySelector('main');
      if (main && freshMain) main.replaceWith(freshMain);
      drawReportCharts();
      document.body.setAttribute('data-live-updates', String(++updates));
    }).catch(function () {
      clearInterval(timer);
      var header = document.getElementById('verdict');
      if (header) header.insertAdjacentHTML('beforeend', '<p id="live-ended" class="warn">The fleet no longer answers: the run has ended (its report.html is in the run folder) or the fleet stopped.</p>');
      document.body.setAttribute('data-live-ended', 'true');
    });
  }, ${refreshMs});
})();
`;
}
