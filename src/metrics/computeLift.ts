import type { VisitorTotals } from './computeReport';

/** A point estimate with its 95 % confidence interval. */
export interface Interval {
  estimate: number;
  lower: number;
  upper: number;
}

/** One arm's inputs to the lift. */
export interface ArmSummary {
  visitors: number;
  sessions: number;
  convertedSessions: number;
  /** convertedSessions / sessions, or `null` without sessions. */
  conversionRate: number | null;
  revenue: number;
  /** revenue / sessions, or `null` without sessions. */
  revenuePerSession: number | null;
}

/** Lift of treatment over holdout on one metric. */
export interface MetricLift {
  /** Treatment minus holdout, in the metric's unit; `null` when it cannot be computed. */
  difference: Interval | null;
  /** Treatment / holdout - 1 (0.12 = +12 %); `null` when a side is 0 or missing. */
  relative: Interval | null;
  /** How the intervals were computed, in words. */
  method: string;
}

/** What {@link computeLift} returns. */
export interface LiftResult {
  treatment: ArmSummary;
  holdout: ArmSummary;
  /** Sessions with a purchase / sessions. */
  conversionRate: MetricLift;
  /** Revenue / sessions. */
  revenuePerSession: MetricLift;
}

/** The 97.5 % quantile of the standard normal distribution. */
export const Z95 = 1.959963984540054;

/** Wilson score interval of x successes in n trials. */
export function wilson(x: number, n: number, z = Z95): { lower: number; upper: number } {
  const p = x / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { lower: Math.max(0, centre - half), upper: Math.min(1, centre + half) };
}

function summarise(list: readonly VisitorTotals[]): ArmSummary {
  let sessions = 0;
  let convertedSessions = 0;
  let revenue = 0;
  for (const v of list) {
    sessions += v.sessions;
    convertedSessions += v.convertedSessions;
    revenue += v.revenue;
  }
  return {
    visitors: list.length,
    sessions,
    convertedSessions,
    conversionRate: sessions > 0 ? convertedSessions / sessions : null,
    revenue,
    revenuePerSession: sessions > 0 ? revenue / sessions : null,
  };
}

/**
 * Variance of the ratio estimator R = sum(y) / sum(m) over k visitors
 * (first-order Taylor / delta method, visitors as clusters):
 * k/(k-1) * sum((y_i - R m_i)^2) / (sum m)^2.
 */
function ratioVariance(list: readonly VisitorTotals[], r: number, sessions: number): number {
  const k = list.length;
  let ss = 0;
  for (const v of list) ss += (v.revenue - r * v.sessions) ** 2;
  return ((k / (k - 1)) * ss) / (sessions * sessions);
}

const CONVERSION_METHOD =
  'difference: Newcombe hybrid score interval (Wilson per arm); relative: Katz log risk ratio; sessions taken as independent';
const REVENUE_METHOD =
  'delta method for the ratio estimator revenue/sessions with visitors as clusters; difference: normal; relative: normal on log ratio';

/**
 * The lift of the treatment group over the holdout, with 95 % confidence
 * intervals, on conversion rate per session and revenue per session.
 *
 * Conversion rate (p = converted sessions / sessions per arm):
 * - difference p_T - p_H: Newcombe's hybrid score interval (method 10 of
 *   Newcombe 1998): with Wilson intervals [l, u] per arm,
 *   lower = d - sqrt((p_T - l_T)^2 + (u_H - p_H)^2),
 *   upper = d + sqrt((u_T - p_T)^2 + (p_H - l_H)^2);
 * - relative p_T / p_H - 1: Katz log interval,
 *   exp(ln(p_T/p_H) +- z sqrt(1/x_T - 1/n_T + 1/x_H - 1/n_H)) - 1.
 *
 * Revenue per session (R = revenue / sessions per arm): each arm's variance
 * by the delta method for a ratio estimator with visitors as clusters
 * (`k/(k-1) * sum (y_i - R m_i)^2 / M^2`, so several sessions of one visitor
 * are not taken as independent); difference R_T - R_H +- z sqrt(V_T + V_H);
 * relative exp(ln(R_T/R_H) +- z sqrt(V_T/R_T^2 + V_H/R_H^2)) - 1.
 *
 * Normal approximations: with fewer than ~30 sessions per arm or fewer than
 * ~5 conversions the intervals are rough. Needs at least 2 visitors per arm
 * for revenue, 1 session per arm for conversion.
 *
 * @param visitors - From `visitorTotals(events)`; groups other than treatment and holdout are ignored.
 * @example
 * const lift = computeLift(visitorTotals(events));
 * lift.conversionRate.relative; // { estimate: 0.12, lower: -0.03, upper: 0.29 }
 */
export function computeLift(visitors: readonly VisitorTotals[]): LiftResult {
  const t = visitors.filter((v) => v.group === 'treatment');
  const h = visitors.filter((v) => v.group === 'holdout');
  const T = summarise(t);
  const H = summarise(h);

  let convDiff: Interval | null = null;
  let convRel: Interval | null = null;
  if (T.sessions > 0 && H.sessions > 0) {
    const p1 = T.conversionRate!;
    const p2 = H.conversionRate!;
    const w1 = wilson(T.convertedSessions, T.sessions);
    const w2 = wilson(H.convertedSessions, H.sessions);
    const d = p1 - p2;
    convDiff = {
      estimate: d,
      lower: d - Math.sqrt((p1 - w1.lower) ** 2 + (w2.upper - p2) ** 2),
      upper: d + Math.sqrt((w1.upper - p1) ** 2 + (p2 - w2.lower) ** 2),
    };
    if (T.convertedSessions > 0 && H.convertedSessions > 0) {
      const ln = Math.log(p1 / p2);
      const se = Math.sqrt(
        1 / T.convertedSessions - 1 / T.sessions + 1 / H.convertedSessions - 1 / H.sessions,
      );
      convRel = {
        estimate: p1 / p2 - 1,
        lower: Math.exp(ln - Z95 * se) - 1,
        upper: Math.exp(ln + Z95 * se) - 1,
      };
    }
  }

  let revDiff: Interval | null = null;
  let revRel: Interval | null = null;
  if (t.length >= 2 && h.length >= 2) {
    const r1 = T.revenuePerSession!;
    const r2 = H.revenuePerSession!;
    const v1 = ratioVariance(t, r1, T.sessions);
    const v2 = ratioVariance(h, r2, H.sessions);
    const d = r1 - r2;
    const se = Math.sqrt(v1 + v2);
    revDiff = { estimate: d, lower: d - Z95 * se, upper: d + Z95 * se };
    if (r1 > 0 && r2 > 0) {
      const ln = Math.log(r1 / r2);
      const sl = Math.sqrt(v1 / (r1 * r1) + v2 / (r2 * r2));
      revRel = {
        estimate: r1 / r2 - 1,
        lower: Math.exp(ln - Z95 * sl) - 1,
        upper: Math.exp(ln + Z95 * sl) - 1,
      };
    }
  }
  return {
    treatment: T,
    holdout: H,
    conversionRate: { difference: convDiff, relative: convRel, method: CONVERSION_METHOD },
    revenuePerSession: { difference: revDiff, relative: revRel, method: REVENUE_METHOD },
  };
}
