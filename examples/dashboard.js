// dashboard.html: the measurement dashboard. Two sources, each drawn as SVG
// charts (examples/charts.js) with its own friendly empty state:
// - this browser: `window.Likewise.instance.report()`, the visitor's own
//   report (the shape of computeReport in src/metrics/computeReport.ts);
// - all shoppers: `/report.json`, the output of
//   `likewise report --events FILE --json` (src/cli/report.ts: { skippedLines,
//   report, lift }), e.g. saved as examples/generated/report.json.
// Everything goes in as text; no innerHTML, no inline styles.
import { barChart, errorBar, figure } from './charts.js';

const $ = (name) => document.querySelector(`[data-dashboard="${name}"]`);
const pct = (v) => `${(v * 100).toFixed(1)}%`;
const signed = (text, v) => (v > 0 ? `+${text}` : text);
const pp = (v) => signed(`${(v * 100).toFixed(2)} pp`, v);
const relative = (v) => signed(`${(v * 100).toFixed(1)}%`, v);

/** Money in the report's currency (plain 2 decimals without one). */
function moneyFormat(currency) {
  if (!currency) return (v) => v.toFixed(2);
  try {
    const f = new Intl.NumberFormat(document.documentElement.lang || undefined, {
      style: 'currency',
      currency,
    });
    return (v) => f.format(v);
  } catch {
    return (v) => `${v.toFixed(2)} ${currency}`;
  }
}

/** A paragraph of text, optionally with a <code> part: p('Run', 'likewise report', 'first.'). */
function note(before, code, after = '') {
  const p = document.createElement('p');
  p.className = 'dash-empty';
  p.append(before);
  if (code) {
    const c = document.createElement('code');
    c.textContent = code;
    p.append(' ', c, ' ', after);
  }
  return p;
}

function isReport(r) {
  return !!r && typeof r === 'object' && Array.isArray(r.widgets) && Array.isArray(r.groups);
}

/** Impressions, clicks, CTR and attributed revenue per widget slot, scenario and group. */
function widgetFigures(report, money) {
  const rows = report.widgets.map((w) => ({
    label:
      (w.widget === w.scenario ? w.widget : `${w.widget} · ${w.scenario}`) +
      (w.group === 'none' ? '' : ` (${w.group})`),
    series: w.group,
    w,
  }));
  const bars = (field) =>
    rows.map((r) => ({ label: r.label, value: r.w[field], series: r.series }));
  return [
    figure('Impressions', barChart(bars('impressions'), { title: 'Impressions' })),
    figure('Clicks', barChart(bars('clicks'), { title: 'Clicks' })),
    figure(
      'Click-through rate',
      barChart(bars('ctr'), { title: 'Click-through rate', format: pct }),
      'Clicks per impression (at least half the item visible for 1 s).',
    ),
    figure(
      'Attributed revenue',
      barChart(bars('revenue'), { title: 'Attributed revenue', format: money }),
      `Purchases within ${report.windowDays} days of a recommendation click.`,
    ),
  ];
}

/** Conversion rate and revenue per session of each experiment group. */
function groupFigures(report, money) {
  const groups = report.groups.filter((g) => g.sessions > 0);
  if (!groups.length) return [];
  const bars = (field) =>
    groups.map((g) => ({
      label: `${g.group} (${g.sessions} sessions)`,
      value: g[field],
      series: g.group,
    }));
  return [
    figure(
      'Conversion rate per group',
      barChart(bars('conversionRate'), { title: 'Conversion rate per group', format: pct }),
      'Sessions with a purchase / sessions.',
    ),
    figure(
      'Revenue per session per group',
      barChart(bars('revenuePerSession'), {
        title: 'Revenue per session per group',
        format: money,
      }),
    ),
  ];
}

/** Treatment minus holdout, with 95% confidence intervals as error bars. */
function liftFigures(lift, money) {
  if (!lift?.treatment?.sessions || !lift?.holdout?.sessions) {
    return [
      note(
        'The lift needs sessions in both the treatment and the holdout group: set experiment.holdout in',
        'createLikewise',
        'and collect events for a while.',
      ),
    ];
  }
  const row = (label, interval) => ({ label, ...(interval ?? { estimate: null }) });
  const cr = lift.conversionRate;
  const rps = lift.revenuePerSession;
  return [
    figure(
      'Conversion rate: treatment − holdout',
      errorBar([row('difference', cr.difference)], { title: 'Conversion rate lift', format: pp }),
      `95% confidence interval. ${cr.method}.`,
    ),
    figure(
      'Revenue per session: treatment − holdout',
      errorBar([row('difference', rps.difference)], {
        title: 'Revenue per session lift',
        format: (v) => signed(money(v), v),
      }),
      `95% confidence interval. ${rps.method}.`,
    ),
    figure(
      'Relative lift',
      errorBar([row('conversion rate', cr.relative), row('revenue per session', rps.relative)], {
        title: 'Relative lift',
        format: relative,
      }),
      'Treatment / holdout − 1. An interval that crosses 0 is not a proven effect.',
    ),
  ];
}

function draw(slot, figures, summary) {
  const grid = $(`${slot}-charts`);
  const status = $(`${slot}-status`);
  if (status) status.textContent = summary;
  grid?.replaceChildren(...figures);
}

function drawOwn(report) {
  if (!isReport(report) || !report.events) {
    draw(
      'own',
      [
        note(
          'Nothing measured in this browser yet: browse the shop, look at a few recommendations and click one.',
        ),
      ],
      '',
    );
    return;
  }
  const money = moneyFormat(report.currency);
  const figures = report.widgets.length
    ? [...widgetFigures(report, money), ...groupFigures(report, money)]
    : [note('No recommendation was seen long enough to count as an impression yet.')];
  draw('own', figures, `${report.events} events in this browser.`);
}

function drawCollected(data) {
  const report = data?.report;
  if (!isReport(report)) {
    draw(
      'collected',
      [
        note(
          'No collected log summary at /report.json yet. Create one from a collected log with',
          'likewise report --events events.ndjson --json > examples/generated/report.json',
          'and reload.',
        ),
      ],
      '',
    );
    return;
  }
  const money = moneyFormat(report.currency);
  const skipped = data.skippedLines ? ` (${data.skippedLines} invalid lines skipped)` : '';
  draw(
    'collected',
    [
      ...(report.widgets.length ? widgetFigures(report, money) : []),
      ...groupFigures(report, money),
      ...liftFigures(data.lift, money),
    ],
    `${report.events} events${skipped}, attribution window ${report.windowDays} days.`,
  );
}

function loadCollected() {
  fetch('/report.json', { cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null)
    .then(drawCollected);
}

function loadOwn(tries = 0) {
  const lw = window.Likewise?.instance;
  if (lw && typeof lw.report === 'function') {
    Promise.resolve()
      .then(() => lw.report())
      .then(drawOwn, (e) =>
        draw('own', [note(`The report could not be computed (${e?.message ?? e}).`)], ''),
      );
  } else if (tries < 50) setTimeout(() => loadOwn(tries + 1), 200);
  else
    draw(
      'own',
      [
        note(
          'Your own figures appear here once the likewise script (with lw.report()) has loaded.',
        ),
      ],
      '',
    );
}

if ($('own-charts')) loadOwn();
if ($('collected-charts')) loadCollected();
