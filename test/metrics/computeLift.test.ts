import { describe, expect, it } from 'vitest';
import { computeLift, wilson, Z95 } from '../../src/metrics/computeLift';
import type { VisitorTotals } from '../../src/metrics/computeReport';

/** `n` one-session visitors of `group`, the first `converted` of them with a purchase of `revenue`. */
function arm(
  group: 'treatment' | 'holdout',
  n: number,
  converted: number,
  revenue = 0,
): VisitorTotals[] {
  return Array.from({ length: n }, (_, i) => ({
    visitor: `${group}-${i}`,
    group,
    sessions: 1,
    convertedSessions: i < converted ? 1 : 0,
    revenue: i < converted ? revenue : 0,
  }));
}

describe('computeLift', () => {
  it('matches the worked example of Newcombe (1998): 56/70 vs 48/80 gives [0.0524, 0.3339]', () => {
    const lift = computeLift([...arm('treatment', 70, 56), ...arm('holdout', 80, 48)]);
    const d = lift.conversionRate.difference!;
    expect(d.estimate).toBeCloseTo(0.2, 12);
    expect(d.lower).toBeCloseTo(0.0524, 4);
    expect(d.upper).toBeCloseTo(0.3339, 4);
  });

  it('Wilson score interval of 56/70 is 0.6918 to 0.8770 (no continuity correction)', () => {
    const w = wilson(56, 70);
    expect(w.lower).toBeCloseTo(0.6918, 4);
    expect(w.upper).toBeCloseTo(0.877, 4);
    expect(Z95).toBeCloseTo(1.95996, 5);
  });

  it('conversion lift, hand computed: 30/200 vs 10/100', () => {
    const lift = computeLift([...arm('treatment', 200, 30), ...arm('holdout', 100, 10)]);
    expect(lift.treatment).toMatchObject({
      sessions: 200,
      convertedSessions: 30,
      conversionRate: 0.15,
    });
    expect(lift.holdout).toMatchObject({
      sessions: 100,
      convertedSessions: 10,
      conversionRate: 0.1,
    });
    const d = lift.conversionRate.difference!;
    expect(d.estimate).toBeCloseTo(0.05, 12);
    expect(d.lower).toBeCloseTo(-0.035834606226327476, 10);
    expect(d.upper).toBeCloseTo(0.12174037969957821, 10);
    // Katz: RR = 1.5, se(ln RR) = sqrt(1/30 - 1/200 + 1/10 - 1/100) = 0.34400...
    const r = lift.conversionRate.relative!;
    expect(r.estimate).toBeCloseTo(0.5, 12);
    expect(r.lower).toBeCloseTo(
      Math.exp(Math.log(1.5) - Z95 * Math.sqrt(1 / 30 - 1 / 200 + 1 / 10 - 1 / 100)) - 1,
      12,
    );
    expect(r.lower).toBeCloseTo(-0.23566943429648568, 10);
    expect(r.upper).toBeCloseTo(1.9437524821855412, 10);
  });

  it('revenue per session: delta method with visitors as clusters, hand computed', () => {
    // Treatment: A 2 sessions 30, B 1 session 0, C 1 session 10 -> R = 40/4 = 10.
    // Residuals y - R m: 10, -10, 0 -> ss 200 -> V = 3/2 * 200 / 16 = 18.75.
    // Holdout: D 1 session 5, E 1 session 0, F 2 sessions 10 -> R = 15/4 = 3.75.
    // Residuals: 1.25, -3.75, 2.5 -> ss 21.875 -> V = 3/2 * 21.875 / 16 = 2.05078125.
    // Difference 6.25 +- 1.959964 * sqrt(20.80078125) = 6.25 +- 8.93898.
    const v = (
      visitor: string,
      group: 'treatment' | 'holdout',
      sessions: number,
      revenue: number,
    ): VisitorTotals => ({
      visitor,
      group,
      sessions,
      convertedSessions: revenue > 0 ? 1 : 0,
      revenue,
    });
    const lift = computeLift([
      v('A', 'treatment', 2, 30),
      v('B', 'treatment', 1, 0),
      v('C', 'treatment', 1, 10),
      v('D', 'holdout', 1, 5),
      v('E', 'holdout', 1, 0),
      v('F', 'holdout', 2, 10),
    ]);
    expect(lift.treatment.revenuePerSession).toBe(10);
    expect(lift.holdout.revenuePerSession).toBe(3.75);
    const d = lift.revenuePerSession.difference!;
    expect(d.estimate).toBeCloseTo(6.25, 12);
    expect(d.lower).toBeCloseTo(-2.688978946733318, 10);
    expect(d.upper).toBeCloseTo(15.188978946733318, 10);
    const r = lift.revenuePerSession.relative!;
    expect(r.estimate).toBeCloseTo(5 / 3, 12);
    expect(r.lower).toBeCloseTo(-0.1399428866472915, 10);
    expect(r.upper).toBeCloseTo(7.2681847527431, 8);
  });

  it('gives null intervals instead of NaN when a side is missing or zero', () => {
    const none = computeLift(arm('treatment', 10, 2, 5));
    expect(none.conversionRate.difference).toBeNull();
    expect(none.revenuePerSession.difference).toBeNull();
    const zero = computeLift([...arm('treatment', 10, 2, 5), ...arm('holdout', 10, 0)]);
    expect(zero.conversionRate.difference).not.toBeNull();
    expect(zero.conversionRate.relative).toBeNull();
    expect(zero.revenuePerSession.relative).toBeNull();
    expect(Number.isFinite(zero.revenuePerSession.difference!.upper)).toBe(true);
  });
});
