import { describe, expect, it } from 'vitest';
import { computeReport, visitorTotals } from '../../src/metrics/computeReport';
import type { LikewiseEvent } from '../../src/types';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
let n = 0;
const ev = (e: Omit<LikewiseEvent, 'id'>): LikewiseEvent => ({ id: `e${++n}`, ...e });

describe('computeReport', () => {
  const v = { visitor: 'V1', group: 'treatment' as const };
  const events: LikewiseEvent[] = [
    ev({
      ...v,
      type: 'impression',
      ts: T0,
      session: 's1',
      rec: 'r1',
      pos: 0,
      itemId: 'a',
      widget: 'pdp',
      scenario: 'similar',
    }),
    ev({
      ...v,
      type: 'impression',
      ts: T0,
      session: 's1',
      rec: 'r1',
      pos: 1,
      itemId: 'b',
      widget: 'pdp',
      scenario: 'similar',
    }),
    // Clicks without widget/scenario: taken from the impressions of the same rec id.
    ev({ ...v, type: 'click', ts: T0 + 1000, session: 's1', rec: 'r1', pos: 0, itemId: 'a' }),
    ev({ ...v, type: 'add_to_cart', ts: T0 + 2000, session: 's1', itemId: 'a', price: 10 }),
    ev({ ...v, type: 'click', ts: T0 + 3000, session: 's1', rec: 'r1', pos: 1, itemId: 'b' }),
    // Exactly 7 days after the click on a: still attributed. Line c was never clicked.
    ev({
      ...v,
      type: 'purchase',
      ts: T0 + 1000 + 7 * DAY,
      session: 's2',
      currency: 'EUR',
      items: [
        { itemId: 'a', quantity: 2, price: 10 },
        { itemId: 'c', quantity: 1, price: 5 },
      ],
    }),
    // 7 days and 1 ms after the click on b: not attributed.
    ev({
      ...v,
      type: 'purchase',
      ts: T0 + 3000 + 7 * DAY + 1,
      session: 's3',
      itemId: 'b',
      price: 8,
      currency: 'EUR',
    }),
  ];

  it('attributes within the window, inclusive at exactly 7 days, with revenue', () => {
    const r = computeReport(events);
    expect(r.currency).toBe('EUR');
    expect(r.widgets).toEqual([
      {
        widget: 'pdp',
        scenario: 'similar',
        group: 'treatment',
        impressions: 2,
        clicks: 2,
        ctr: 1,
        addToCarts: 1,
        purchases: 1,
        revenue: 20,
      },
    ]);
    expect(r.groups).toEqual([
      {
        group: 'treatment',
        visitors: 1,
        sessions: 3,
        convertedSessions: 2,
        conversionRate: 2 / 3,
        purchases: 2,
        revenue: 33,
        revenuePerSession: 11,
        attributedRevenue: 20,
        impressions: 2,
        clicks: 2,
      },
    ]);
  });

  it('a longer window attributes the later purchase too', () => {
    const r = computeReport(events, { windowDays: 8 });
    expect(r.widgets[0]).toMatchObject({ purchases: 2, revenue: 28 });
  });

  it('a zero window attributes only conversions at the very time of the click', () => {
    const same = [
      ev({ type: 'click', ts: T0, session: 's', rec: 'r', itemId: 'x', scenario: 'for-you' }),
      ev({ type: 'purchase', ts: T0, session: 's', itemId: 'x', price: 3 }),
      ev({ type: 'add_to_cart', ts: T0 + 1, session: 's', itemId: 'x' }),
    ];
    const r = computeReport(same, { windowDays: 0 });
    expect(r.widgets[0]).toMatchObject({
      widget: 'for-you',
      group: 'none',
      purchases: 1,
      revenue: 3,
      addToCarts: 0,
    });
  });

  it('last click wins, other visitors never get credit, groups stay apart', () => {
    const log = [
      ev({
        type: 'impression',
        ts: T0,
        session: 'h1',
        visitor: 'H',
        group: 'holdout',
        rec: 'q',
        itemId: 'x',
        scenario: 'trending',
        widget: 'home',
      }),
      ev({
        type: 'click',
        ts: T0 + 1,
        session: 'h1',
        visitor: 'H',
        group: 'holdout',
        rec: 'q',
        itemId: 'x',
        scenario: 'trending',
        widget: 'home',
      }),
      ev({
        type: 'click',
        ts: T0 + 2,
        session: 'h1',
        visitor: 'H',
        group: 'holdout',
        rec: 'w',
        itemId: 'x',
        scenario: 'similar',
        widget: 'pdp',
      }),
      ev({
        type: 'purchase',
        ts: T0 + 3,
        session: 'h1',
        visitor: 'H',
        group: 'holdout',
        itemId: 'x',
        price: 4,
        quantity: 3,
      }),
      // Another visitor buys x: no click of theirs, so nothing attributed.
      ev({
        type: 'purchase',
        ts: T0 + 4,
        session: 't1',
        visitor: 'T',
        group: 'treatment',
        itemId: 'x',
        price: 4,
      }),
    ];
    const r = computeReport(log);
    expect(
      r.widgets.map((w) => [w.widget, w.group, w.clicks, w.purchases, w.revenue, w.ctr]),
    ).toEqual([
      ['home', 'holdout', 1, 0, 0, 1],
      ['pdp', 'holdout', 1, 1, 12, null],
    ]);
    expect(r.groups.map((g) => [g.group, g.sessions, g.revenue, g.attributedRevenue])).toEqual([
      ['treatment', 1, 4, 0],
      ['holdout', 1, 12, 12],
    ]);
  });

  it('without visitor ids sessions are apart unless visitorKey joins them (lw.report)', () => {
    const log = [
      ev({ type: 'click', ts: T0, session: 's1', rec: 'r', itemId: 'x', scenario: 'for-you' }),
      ev({ type: 'purchase', ts: T0 + DAY, session: 's2', itemId: 'x', price: 9 }),
    ];
    expect(computeReport(log).widgets[0].purchases).toBe(0);
    const mine = computeReport(log, { visitorKey: () => 'me' });
    expect(mine.widgets[0]).toMatchObject({ purchases: 1, revenue: 9 });
    expect(mine.groups[0]).toMatchObject({ group: 'none', visitors: 1, sessions: 2 });
  });

  it('counts revenue only in the main currency and says how many lines it left out', () => {
    const log = [
      ev({ type: 'click', ts: T0, session: 's', rec: 'r', itemId: 'x', scenario: 'for-you' }),
      ev({ type: 'purchase', ts: T0 + 1, session: 's', itemId: 'x', price: 9, currency: 'USD' }),
      ev({ type: 'purchase', ts: T0 + 2, session: 's', itemId: 'y', price: 1, currency: 'EUR' }),
      ev({ type: 'purchase', ts: T0 + 3, session: 's', itemId: 'z', price: 2, currency: 'EUR' }),
    ];
    const r = computeReport(log);
    expect(r.currency).toBe('EUR');
    expect(r.widgets[0]).toMatchObject({ purchases: 1, revenue: 0 });
    expect(r.otherCurrencyLines).toBe(1);
    expect(r.groups[0].revenue).toBe(3);
    expect(computeReport(log, { currency: 'USD' }).widgets[0].revenue).toBe(9);
  });

  it('visitorTotals puts a session in the group of its first grouped event', () => {
    const log = [
      ev({ type: 'view', ts: T0, session: 's', visitor: 'A', itemId: 'x' }),
      ev({ type: 'view', ts: T0 + 1, session: 's', visitor: 'A', itemId: 'x', group: 'holdout' }),
      ev({
        type: 'purchase',
        ts: T0 + 2,
        session: 's',
        visitor: 'A',
        itemId: 'x',
        price: 5,
        quantity: 2,
      }),
    ];
    expect(visitorTotals(log)).toEqual([
      { visitor: 'A', group: 'holdout', sessions: 1, convertedSessions: 1, revenue: 10 },
    ]);
  });

  it('refuses a negative window with an exact message', () => {
    expect(() => computeReport([], { windowDays: -1 })).toThrow(
      'windowDays must be a finite number >= 0 (got -1).',
    );
    expect(computeReport([])).toMatchObject({ widgets: [], groups: [], events: 0, currency: null });
  });
});
