// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { barChart, errorBar, figure } from '../../examples/charts.js';

const XSS = '<img src=x onerror="window.__pwned=1">';

describe('examples/charts.js', () => {
  it('barChart draws one bar per number, scaled to the largest, labels and values as text', () => {
    const chart = barChart(
      [
        { label: 'home · for-you', value: 40, series: 'treatment' },
        { label: XSS, value: 10, series: 'holdout' },
        { label: 'no data', value: null },
      ],
      { title: 'Impressions', width: 400, labelWidth: 150 },
    );
    expect(chart.namespaceURI).toBe('http://www.w3.org/2000/svg');
    expect(chart.getAttribute('role')).toBe('img');
    const bars = [...chart.querySelectorAll('rect')];
    expect(bars).toHaveLength(2);
    // Full width is 400 - 150 - 70 = 180 units.
    expect(bars.map((b) => Number(b.getAttribute('width')))).toEqual([180, 45]);
    expect(bars.map((b) => b.getAttribute('class'))).toEqual([
      'chart-bar chart-bar--treatment',
      'chart-bar chart-bar--holdout',
    ]);
    const labels = [...chart.querySelectorAll('.chart-label')].map(
      (t) => t.firstChild?.textContent,
    );
    expect(labels[0]).toBe('home · for-you');
    expect(labels[1]).toBe(`${XSS.slice(0, 27)}…`);
    expect(chart.querySelector('img')).toBeNull();
    const values = [...chart.querySelectorAll('.chart-value')].map((t) => t.textContent);
    expect(values).toEqual(['40', '10', '–']);
    expect(chart.getAttribute('aria-label')).toBe(
      `Impressions: home · for-you 40; ${XSS} 10; no data –`,
    );
    expect(chart.querySelector('[style]')).toBeNull();
  });

  it('barChart formats values with the given formatter', () => {
    const chart = barChart([{ label: 'a', value: 0.125 }], { format: (v) => `${v * 100}%` });
    expect(chart.querySelector('.chart-value')?.textContent).toBe('12.5%');
  });

  it('errorBar draws a whisker with caps and an estimate dot, symmetric around 0', () => {
    const chart = errorBar(
      [
        { label: 'conversion', estimate: 1, lower: -1, upper: 2 },
        { label: 'revenue', estimate: null },
      ],
      { title: 'Lift', width: 430, labelWidth: 170 },
    );
    expect(chart.querySelectorAll('.chart-interval')).toHaveLength(1);
    expect(chart.querySelectorAll('.chart-interval--unsure')).toHaveLength(1);
    expect(chart.querySelectorAll('.chart-whisker')).toHaveLength(3);
    const dot = chart.querySelector('circle');
    // Scale: -2..2 over x 180..420, so 1 -> 360 and 0 -> 300.
    expect(Number(dot?.getAttribute('cx'))).toBe(360);
    expect(Number(chart.querySelector('.chart-zero')?.getAttribute('x1'))).toBe(300);
    const whisker = chart.querySelector('.chart-whisker');
    expect([whisker?.getAttribute('x1'), whisker?.getAttribute('x2')]).toEqual(['240', '420']);
    const notes = [...chart.querySelectorAll('.chart-note')].map((t) => t.textContent);
    expect(notes).toEqual(['1 [-1, 2]', 'not enough data']);
  });

  it('figure puts heading and caption in as text', () => {
    const fig = figure(XSS, barChart([]), 'a <b>caption</b>');
    expect(fig.querySelector('h3')?.textContent).toBe(XSS);
    expect(fig.querySelector('figcaption')?.textContent).toBe('a <b>caption</b>');
    expect(fig.querySelector('img, b')).toBeNull();
  });
});
