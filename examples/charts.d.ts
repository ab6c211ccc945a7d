/** Types of charts.js (the demo dashboard's SVG helpers), for the tests. */

export declare const SVG_NS: string;

export declare function svg(
  tag: string,
  attrs?: Record<string, string | number>,
  text?: string,
): SVGElement;

export interface ChartOptions {
  title?: string;
  format?: (value: number) => string;
  width?: number;
  labelWidth?: number;
  rowHeight?: number;
}

export declare function barChart(
  data: { label: string; value: number | null; series?: string }[],
  options?: ChartOptions & { max?: number },
): SVGSVGElement;

export declare function errorBar(
  data: { label: string; estimate: number | null; lower?: number; upper?: number }[],
  options?: ChartOptions,
): SVGSVGElement;

export declare function figure(heading: string, chart: Element, caption?: string): HTMLElement;
