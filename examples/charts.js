// Small SVG chart helpers for the demo dashboard: pure DOM (createElementNS,
// textContent, setAttribute), no chart library, no innerHTML, no inline
// styles. Colours and fonts come from classes (examples/dashboard.css), so the
// page works under a strict CSP. Every chart is an <svg role="img"> whose
// accessible name lists the figures, so screen readers get the numbers too.

export const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * Creates an SVG element with attributes and optional text (set as text).
 *
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {string} [text]
 * @returns {SVGElement}
 */
export function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

const isNumber = (v) => typeof v === 'number' && Number.isFinite(v);
const plain = (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

/** Cuts a label to `max` characters with an ellipsis (the full text stays in the tooltip). */
function clip(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The root <svg> with its accessible name and a <title> tooltip. */
function frame(width, height, name) {
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    width,
    height,
    role: 'img',
    'aria-label': name,
    class: 'chart-svg',
  });
  root.append(svg('title', {}, name));
  return root;
}

/**
 * A horizontal bar chart: one row per datum, label on the left, bar, value
 * on the right. A datum whose value is not a finite number gets no bar and
 * the value text `–`.
 *
 * @param {{ label: string, value: number | null, series?: string }[]} data
 *   `series` adds the class `chart-bar--<series>` (e.g. treatment, holdout)
 * @param {object} [options]
 * @param {string} [options.title] accessible name (the figures are appended)
 * @param {(v: number) => string} [options.format] value text; default integer or 2 decimals
 * @param {number} [options.max] the value of a full-width bar; default the largest value
 * @param {number} [options.width=480]
 * @param {number} [options.labelWidth=190]
 * @param {number} [options.rowHeight=28]
 * @returns {SVGSVGElement}
 * @example
 * figure.append(barChart([{ label: 'home · for-you', value: 42 }], { title: 'Impressions' }));
 */
export function barChart(data, options = {}) {
  const {
    title = 'Chart',
    format = plain,
    width = 480,
    labelWidth = 190,
    rowHeight = 28,
  } = options;
  const valueWidth = 70;
  const span = width - labelWidth - valueWidth;
  const max = options.max ?? Math.max(0, ...data.map((d) => (isNumber(d.value) ? d.value : 0)));
  const text = (d) => (isNumber(d.value) ? format(d.value) : '–');
  const name = `${title}: ${data.map((d) => `${d.label} ${text(d)}`).join('; ')}`;
  const root = frame(width, Math.max(1, data.length) * rowHeight + 4, name);
  data.forEach((d, i) => {
    const y = 2 + i * rowHeight;
    const mid = y + rowHeight / 2;
    const row = svg('g', { class: 'chart-row' });
    const label = svg('text', { x: labelWidth - 8, y: mid, class: 'chart-label' });
    label.textContent = clip(String(d.label), 28);
    label.append(svg('title', {}, String(d.label)));
    row.append(label);
    let end = labelWidth;
    if (isNumber(d.value)) {
      const w = max > 0 ? Math.max(d.value > 0 ? 2 : 0, (d.value / max) * span) : 0;
      end += w;
      row.append(
        svg('rect', {
          x: labelWidth,
          y: y + 5,
          width: w.toFixed(1),
          height: rowHeight - 10,
          rx: 3,
          class: `chart-bar${d.series ? ` chart-bar--${d.series}` : ''}`,
        }),
      );
    }
    row.append(svg('text', { x: end + 6, y: mid, class: 'chart-value' }, text(d)));
    root.append(row);
  });
  return root;
}

/**
 * Intervals around a zero line: for each datum a line from `lower` to
 * `upper` with end caps and a dot at `estimate` (e.g. a lift and its 95 %
 * confidence interval). A datum with `estimate` null is listed as
 * `not enough data`. The scale is symmetric around 0, so the sign of a lift
 * reads at a glance; an interval that crosses the zero line gets the class
 * `chart-interval--unsure`.
 *
 * @param {{ label: string, estimate: number | null, lower?: number, upper?: number }[]} data
 * @param {object} [options]
 * @param {string} [options.title]
 * @param {(v: number) => string} [options.format] tick and value text
 * @param {number} [options.width=480]
 * @param {number} [options.labelWidth=150]
 * @param {number} [options.rowHeight=40]
 * @returns {SVGSVGElement}
 * @example
 * errorBar([{ label: 'conversion', estimate: 0.012, lower: -0.003, upper: 0.027 }], { format: pp });
 */
export function errorBar(data, options = {}) {
  const {
    title = 'Intervals',
    format = plain,
    width = 480,
    labelWidth = 150,
    rowHeight = 40,
  } = options;
  const known = data.filter((d) => isNumber(d.estimate));
  const reach = Math.max(
    1e-9,
    ...known.flatMap((d) => [d.estimate, d.lower, d.upper].filter(isNumber).map(Math.abs)),
  );
  const left = labelWidth + 10;
  const right = width - 10;
  const x = (v) => left + ((v + reach) / (2 * reach)) * (right - left);
  const range = (d) =>
    isNumber(d.estimate)
      ? `${format(d.estimate)} [${format(d.lower ?? d.estimate)}, ${format(d.upper ?? d.estimate)}]`
      : 'not enough data';
  const name = `${title}: ${data.map((d) => `${d.label} ${range(d)}`).join('; ')}`;
  const height = Math.max(1, data.length) * rowHeight + 24;
  const root = frame(width, height, name);
  const zero = x(0);
  root.append(
    svg('line', { x1: zero, x2: zero, y1: 0, y2: height - 20, class: 'chart-zero' }),
    svg('text', { x: left, y: height - 4, class: 'chart-tick' }, format(-reach)),
    svg('text', { x: zero, y: height - 4, class: 'chart-tick chart-tick--zero' }, format(0)),
    svg('text', { x: right, y: height - 4, class: 'chart-tick chart-tick--end' }, format(reach)),
  );
  data.forEach((d, i) => {
    const y = 4 + i * rowHeight;
    const mid = y + rowHeight / 2 - 4;
    const row = svg('g', { class: 'chart-row' });
    row.append(svg('text', { x: labelWidth - 8, y: mid, class: 'chart-label' }, d.label));
    if (isNumber(d.estimate)) {
      const lo = x(d.lower ?? d.estimate);
      const hi = x(d.upper ?? d.estimate);
      const unsure = (d.lower ?? d.estimate) <= 0 && (d.upper ?? d.estimate) >= 0;
      const g = svg('g', { class: `chart-interval${unsure ? ' chart-interval--unsure' : ''}` });
      g.append(
        svg('line', { x1: lo, x2: hi, y1: mid, y2: mid, class: 'chart-whisker' }),
        svg('line', { x1: lo, x2: lo, y1: mid - 6, y2: mid + 6, class: 'chart-whisker' }),
        svg('line', { x1: hi, x2: hi, y1: mid - 6, y2: mid + 6, class: 'chart-whisker' }),
        svg('circle', { cx: x(d.estimate), cy: mid, r: 4.5, class: 'chart-estimate' }),
      );
      row.append(g);
    }
    row.append(svg('text', { x: left, y: mid + 15, class: 'chart-note' }, range(d)));
    root.append(row);
  });
  return root;
}

/**
 * Wraps a chart in a <figure> with a heading and an optional caption (all text).
 *
 * @param {string} heading
 * @param {Element} chart
 * @param {string} [caption]
 * @returns {HTMLElement}
 */
export function figure(heading, chart, caption) {
  const fig = document.createElement('figure');
  fig.className = 'chart';
  const h = document.createElement('h3');
  h.textContent = heading;
  fig.append(h, chart);
  if (caption) {
    const c = document.createElement('figcaption');
    c.textContent = caption;
    fig.append(c);
  }
  return fig;
}
