import { LikewiseError } from '../errors';
import type { LikewiseEvent, LineItem, Scenario } from '../types';

/** Options of {@link computeReport}. */
export interface ReportOptions {
  /** Attribution window in days: a conversion counts for a click at most this long before it. Default 7. */
  windowDays?: number;
  /**
   * Who did an event. Default: `event.visitor`, else the session (a
   * collected log without visitor ids cannot join sessions). For a single
   * visitor's own log (`lw.report()`), pass `() => 'me'`.
   */
  visitorKey?: (event: LikewiseEvent) => string;
  /**
   * Only revenue in this currency is summed (purchases in another currency
   * still count as purchases, with no revenue). Default: the most frequent
   * `currency` among purchases; events without one are taken to be in it.
   */
  currency?: string;
}

/** Experiment group in a report; `none` for events recorded without an experiment. */
export type ReportGroup = 'treatment' | 'holdout' | 'none';

/** Figures of one widget slot, scenario and group. */
export interface WidgetStats {
  /** `event.widget`, else the scenario, else `unknown`. */
  widget: string;
  scenario: Scenario | 'unknown';
  group: ReportGroup;
  impressions: number;
  /** Clicks on recommended items (clicks with a `rec`). */
  clicks: number;
  /** clicks / impressions; `null` without impressions. */
  ctr: number | null;
  /** Attributed add-to-cart events. */
  addToCarts: number;
  /** Attributed purchase lines (one per purchased item, whatever its quantity). */
  purchases: number;
  /** Sum of price x quantity over the attributed purchase lines. */
  revenue: number;
}

/** Totals of one group (all events, attributed or not). */
export interface GroupTotals {
  group: ReportGroup;
  visitors: number;
  sessions: number;
  /** Sessions with at least one purchase. */
  convertedSessions: number;
  /** convertedSessions / sessions; `null` without sessions. */
  conversionRate: number | null;
  /** Purchase events. */
  purchases: number;
  /** Revenue of every purchase (in the report's currency). */
  revenue: number;
  /** revenue / sessions; `null` without sessions. */
  revenuePerSession: number | null;
  /** Revenue attributed to recommendation clicks. */
  attributedRevenue: number;
  impressions: number;
  clicks: number;
}

/** What {@link computeReport} returns (and `lw.report()` resolves to). */
export interface Report {
  windowDays: number;
  /** The currency revenue is in, or `null` when no purchase had one. */
  currency: string | null;
  /** Sorted by widget, scenario, then group. */
  widgets: WidgetStats[];
  /** Sorted: treatment, holdout, none (groups without events are left out). */
  groups: GroupTotals[];
  /** Events read. */
  events: number;
  /** Purchase lines whose revenue was left out because of another currency. */
  otherCurrencyLines: number;
}

/** One visitor's totals within one group: the unit of the lift's confidence intervals. */
export interface VisitorTotals {
  visitor: string;
  group: ReportGroup;
  sessions: number;
  convertedSessions: number;
  revenue: number;
}

const GROUP_ORDER: ReportGroup[] = ['treatment', 'holdout', 'none'];
const DAY = 86_400_000;

interface ClickRef {
  ts: number;
  row: WidgetStats;
}

function lines(e: LikewiseEvent): LineItem[] {
  if (e.items && e.items.length > 0) return e.items;
  return e.itemId ? [{ itemId: e.itemId, quantity: e.quantity, price: e.price }] : [];
}

function lineValue(line: LineItem): number {
  return (line.price ?? 0) * (line.quantity ?? 1);
}

function defaultCurrency(events: readonly LikewiseEvent[]): string | null {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'purchase' && e.currency)
      counts.set(e.currency, (counts.get(e.currency) ?? 0) + 1);
  }
  let best: string | null = null;
  for (const [c, n] of counts) {
    if (best === null || n > counts.get(best)! || (n === counts.get(best)! && c < best)) best = c;
  }
  return best;
}

/** Events in time order; at equal times clicks and impressions go first, so they can be attributed. */
function ordered(events: readonly LikewiseEvent[]): LikewiseEvent[] {
  const rank = (e: LikewiseEvent) => (e.type === 'click' || e.type === 'impression' ? 0 : 1);
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.ts - b.e.ts || rank(a.e) - rank(b.e) || a.i - b.i)
    .map((x) => x.e);
}

const defaultVisitor = (e: LikewiseEvent) => e.visitor ?? `session:${e.session}`;

function checkOptions(options: ReportOptions): number {
  const days = options.windowDays ?? 7;
  if (typeof days !== 'number' || !(days >= 0) || !Number.isFinite(days)) {
    throw new LikewiseError(
      'INVALID_OPTION',
      `windowDays must be a finite number >= 0 (got ${String(days)}).`,
    );
  }
  return days;
}

/**
 * Per visitor and group: sessions, sessions with a purchase, and revenue.
 * A session belongs to the group of its first event that has one (`none`
 * when none has). Used by `computeLift` (visitors are the randomisation unit).
 *
 * @param events - Any order.
 * @param options - `visitorKey` and `currency` as in {@link ReportOptions}.
 */
export function visitorTotals(
  events: readonly LikewiseEvent[],
  options: ReportOptions = {},
): VisitorTotals[] {
  const key = options.visitorKey ?? defaultVisitor;
  const currency = options.currency ?? defaultCurrency(events);
  const sessions = new Map<
    string,
    { visitor: string; group: ReportGroup | null; converted: boolean; revenue: number }
  >();
  for (const e of ordered(events)) {
    const visitor = key(e);
    const sk = `${visitor}\u0000${e.session}`;
    let s = sessions.get(sk);
    if (!s) {
      s = { visitor, group: null, converted: false, revenue: 0 };
      sessions.set(sk, s);
    }
    if (s.group === null && e.group) s.group = e.group;
    if (e.type === 'purchase') {
      s.converted = true;
      if (!e.currency || e.currency === currency) {
        for (const l of lines(e)) s.revenue += lineValue(l);
      }
    }
  }
  const out = new Map<string, VisitorTotals>();
  for (const s of sessions.values()) {
    const group = s.group ?? 'none';
    const vk = `${s.visitor}\u0000${group}`;
    let v = out.get(vk);
    if (!v) {
      v = { visitor: s.visitor, group, sessions: 0, convertedSessions: 0, revenue: 0 };
      out.set(vk, v);
    }
    v.sessions++;
    if (s.converted) v.convertedSessions++;
    v.revenue += s.revenue;
  }
  return [...out.values()];
}

/**
 * Measures recommendations from raw events: per widget slot, scenario and
 * experiment group, the impressions, clicks, CTR, and the add-to-carts,
 * purchases and revenue attributed to recommendation clicks; plus per group
 * the visitors, sessions, conversion rate and revenue per session.
 *
 * Attribution (last click): an `add_to_cart` or a purchase line of item X at
 * time t is attributed to the visitor's most recent `click` on X that has a
 * `rec`, if that click happened at or before t and at most `windowDays`
 * before it (t - click <= window: exactly 7 days still counts). It goes to
 * the click's widget, scenario and group. The widget and scenario of a click
 * come from its own `widget`/`scenario` fields, else from an impression with
 * the same `rec`, else `unknown`. Revenue of a line is price x quantity
 * (quantity default 1, missing price counts 0).
 *
 * @param events - Events in any order (one visitor's, or a collected log of many).
 * @param options - See {@link ReportOptions}.
 * @throws LikewiseError `INVALID_OPTION` for a negative or non-finite `windowDays`.
 * @example
 * const report = computeReport(await store.events(), { visitorKey: () => 'me' });
 * console.table(report.widgets);
 */
export function computeReport(
  events: readonly LikewiseEvent[],
  options: ReportOptions = {},
): Report {
  const windowDays = checkOptions(options);
  const windowMs = windowDays * DAY;
  const key = options.visitorKey ?? defaultVisitor;
  const currency = options.currency ?? defaultCurrency(events);
  const sorted = ordered(events);

  const recInfo = new Map<string, { widget?: string; scenario?: Scenario }>();
  for (const e of sorted) {
    if (!e.rec || (e.widget === undefined && e.scenario === undefined)) continue;
    const info = recInfo.get(e.rec) ?? {};
    info.widget ??= e.widget;
    info.scenario ??= e.scenario;
    recInfo.set(e.rec, info);
  }

  const rows = new Map<string, WidgetStats>();
  const rowFor = (e: LikewiseEvent): WidgetStats => {
    const info = e.rec ? recInfo.get(e.rec) : undefined;
    const scenario = e.scenario ?? info?.scenario ?? 'unknown';
    const widget = e.widget ?? info?.widget ?? scenario;
    const group: ReportGroup = e.group ?? 'none';
    const k = `${widget}\u0000${scenario}\u0000${group}`;
    let row = rows.get(k);
    if (!row) {
      row = {
        widget,
        scenario,
        group,
        impressions: 0,
        clicks: 0,
        ctr: null,
        addToCarts: 0,
        purchases: 0,
        revenue: 0,
      };
      rows.set(k, row);
    }
    return row;
  };

  const lastClick = new Map<string, ClickRef>();
  const attributed = (visitor: string, itemId: string, ts: number): WidgetStats | null => {
    const c = lastClick.get(`${visitor}\u0000${itemId}`);
    return c && ts - c.ts <= windowMs ? c.row : null;
  };
  const purchasesByGroup = new Map<ReportGroup, number>();
  let otherCurrencyLines = 0;
  for (const e of sorted) {
    if (e.type === 'impression') {
      rowFor(e).impressions++;
    } else if (e.type === 'click' && e.rec) {
      const row = rowFor(e);
      row.clicks++;
      if (e.itemId) lastClick.set(`${key(e)}\u0000${e.itemId}`, { ts: e.ts, row });
    } else if (e.type === 'add_to_cart') {
      const visitor = key(e);
      for (const l of lines(e)) {
        const row = attributed(visitor, l.itemId, e.ts);
        if (row) row.addToCarts++;
      }
    } else if (e.type === 'purchase') {
      const g: ReportGroup = e.group ?? 'none';
      purchasesByGroup.set(g, (purchasesByGroup.get(g) ?? 0) + 1);
      const visitor = key(e);
      const sameCurrency = !e.currency || e.currency === currency;
      for (const l of lines(e)) {
        const row = attributed(visitor, l.itemId, e.ts);
        if (!row) continue;
        row.purchases++;
        if (sameCurrency) row.revenue += lineValue(l);
        else otherCurrencyLines++;
      }
    }
  }

  const widgets = [...rows.values()].sort(
    (a, b) =>
      (a.widget < b.widget ? -1 : a.widget > b.widget ? 1 : 0) ||
      (a.scenario < b.scenario ? -1 : a.scenario > b.scenario ? 1 : 0) ||
      GROUP_ORDER.indexOf(a.group) - GROUP_ORDER.indexOf(b.group),
  );
  for (const w of widgets) w.ctr = w.impressions > 0 ? w.clicks / w.impressions : null;

  const totals = new Map<ReportGroup, GroupTotals>();
  const totalFor = (group: ReportGroup): GroupTotals => {
    let t = totals.get(group);
    if (!t) {
      t = {
        group,
        visitors: 0,
        sessions: 0,
        convertedSessions: 0,
        conversionRate: null,
        purchases: purchasesByGroup.get(group) ?? 0,
        revenue: 0,
        revenuePerSession: null,
        attributedRevenue: 0,
        impressions: 0,
        clicks: 0,
      };
      totals.set(group, t);
    }
    return t;
  };
  for (const v of visitorTotals(sorted, { visitorKey: key, currency: currency ?? undefined })) {
    const t = totalFor(v.group);
    t.visitors++;
    t.sessions += v.sessions;
    t.convertedSessions += v.convertedSessions;
    t.revenue += v.revenue;
  }
  for (const w of widgets) {
    const t = totalFor(w.group);
    t.attributedRevenue += w.revenue;
    t.impressions += w.impressions;
    t.clicks += w.clicks;
  }
  const groups = GROUP_ORDER.filter((g) => totals.has(g)).map((g) => totals.get(g)!);
  for (const t of groups) {
    t.conversionRate = t.sessions > 0 ? t.convertedSessions / t.sessions : null;
    t.revenuePerSession = t.sessions > 0 ? t.revenue / t.sessions : null;
  }
  return { windowDays, currency, widgets, groups, events: events.length, otherCurrencyLines };
}
