import { describe, expect, it } from 'vitest';
import {
  buildNeighbourRows,
  buildNeighbours,
  planNeighbours,
} from '../../src/engine/buildNeighbours';
import { buildPopularity } from '../../src/engine/buildPopularity';
import type { InteractionLog } from '../../src/engine/types';
import {
  buildUserItemMatrix,
  collapseUsers,
  coOccurringPairs,
  countedTypesOf,
  draftUserItemMatrix,
  finishUserItemMatrix,
  gatherUserRows,
  groupRowsByUser,
  itemTotals,
  planUserRows,
  splitUsers,
  timeLayout,
} from '../../src/engine/userItemMatrix';
import { isLikewiseError } from '../../src/errors';
import { logOf, type Row } from './fixtures';
import { syntheticLog } from './synthetic';

const DAY = 86_400_000;

/**
 * The worked example. Items a, b, c and users u0, u1, u2 are numbered in order
 * of appearance. With the default weights (view 1, click 2, add_to_cart 4,
 * purchase 8; search and dismiss 0), each pair keeps its strongest event:
 * u0 (a 8, b 2), u1 (b 1, c 4), u2 nothing (a dismissal does not count).
 */
const SHOP: Row[] = [
  ['u0', 'a', 'view', 1],
  ['u1', 'b', 'view', 2],
  ['u0', 'a', 'purchase', 3],
  ['u0', 'b', 'click', 4],
  ['u1', 'c', 'add_to_cart', 5],
  ['u1', 'c', 'search', 6],
  ['u2', 'a', 'dismiss', 7],
];

/** The matrix as { user: { item: value } }, read from the user side. */
function byUser(log: ReturnType<typeof logOf>, m: ReturnType<typeof buildUserItemMatrix>) {
  const out: Record<string, Record<string, number>> = {};
  for (let u = 0; u < m.userCount; u++) {
    const row: Record<string, number> = {};
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++)
      row[log.itemIds[m.userItems[p]]] = m.userValues[p];
    out[log.userIds[u]] = row;
  }
  return out;
}

/** A grouping planned and gathered for every user at once. */
function gathered(log: InteractionLog, counted: Uint8Array) {
  const rows = planUserRows(log, counted);
  gatherUserRows(log, rows);
  return rows;
}

/** The message of the LikewiseError `f` throws, after checking its code. */
function refusal(f: () => unknown, code = 'INVALID_OPTION'): string {
  try {
    f();
  } catch (e) {
    expect(isLikewiseError(e) && e.code).toBe(code);
    return (e as Error).message;
  }
  throw new Error('did not throw');
}

describe('buildUserItemMatrix on the worked example', () => {
  const log = logOf(SHOP);

  it('keeps the strongest event of each pair, in CSR form both ways', () => {
    const m = buildUserItemMatrix(log);
    expect(m.userCount).toBe(3);
    expect(m.itemCount).toBe(3);
    expect(Array.from(m.userOffsets)).toEqual([0, 2, 4, 4]);
    expect(Array.from(m.userItems)).toEqual([0, 1, 1, 2]);
    expect(Array.from(m.userValues)).toEqual([8, 2, 1, 4]);
    // Item side: a (u0 8), b (u0 2, u1 1), c (u1 4), users ascending.
    expect(Array.from(m.itemOffsets)).toEqual([0, 1, 3, 4]);
    expect(Array.from(m.itemUsers)).toEqual([0, 0, 1, 1]);
    expect(Array.from(m.itemValues)).toEqual([8, 2, 1, 4]);
  });

  it('counts every event as 1 with binary, and only the listed types with types', () => {
    expect(byUser(log, buildUserItemMatrix(log, { binary: true }))).toEqual({
      u0: { a: 1, b: 1 },
      u1: { b: 1, c: 1 },
      u2: {},
    });
    expect(byUser(log, buildUserItemMatrix(log, { types: ['purchase', 'add_to_cart'] }))).toEqual({
      u0: { a: 8 },
      u1: { c: 4 },
      u2: {},
    });
    // A type whose default weight is 0 counts once it is given one.
    expect(byUser(log, buildUserItemMatrix(log, { weights: { dismiss: 3 } })).u2).toEqual({
      a: 3,
    });
  });

  it('stores bytes for small integer weights, float32 or float64 otherwise, with the same numbers', () => {
    expect(buildUserItemMatrix(log).userValues).toBeInstanceOf(Uint8Array);
    const half = buildUserItemMatrix(log, { weights: { view: 0.5 } });
    expect(half.userValues).toBeInstanceOf(Float32Array);
    expect(half.itemValues).toBeInstanceOf(Float32Array);
    expect(byUser(log, half).u1).toEqual({ b: 0.5, c: 4 });
    const tenth = buildUserItemMatrix(log, { weights: { view: 0.1 } });
    expect(tenth.userValues).toBeInstanceOf(Float64Array);
    expect(byUser(log, tenth).u1.b).toBe(0.1);
    expect(buildUserItemMatrix(log, { weights: { purchase: 300 } }).userValues).toBeInstanceOf(
      Float32Array,
    );
  });

  it('halves an event every halfLifeDays before the latest event (or now)', () => {
    const old = logOf([
      ['u', 'a', 'view', 0],
      ['u', 'b', 'view', 10 * DAY],
      ['u', 'c', 'view', 20 * DAY],
    ]);
    const values = (options: object) =>
      Object.values(byUser(old, buildUserItemMatrix(old, options)).u);
    const [a, b, c] = values({ halfLifeDays: 10 });
    expect([a, b, c].map((v) => v.toFixed(12))).toEqual([
      '0.250000000000',
      '0.500000000000',
      '1.000000000000',
    ]);
    // An explicit `now` moves the reference; an event after it counts whole.
    const later = values({ halfLifeDays: 10, now: 10 * DAY });
    expect(later.map((v) => v.toFixed(12))).toEqual([
      '0.500000000000',
      '1.000000000000',
      '1.000000000000',
    ]);
  });

  it('keeps the most recent pairs of a user over the cap, the id first in compareIds order on equal times', () => {
    // Pairs a (latest 5), b (3), c (2), d (3, a later row than b).
    const heavy = logOf([
      ['u', 'a', 'view', 1],
      ['u', 'b', 'view', 3],
      ['u', 'c', 'view', 2],
      ['u', 'a', 'view', 5],
      ['u', 'd', 'view', 3],
      ['v', 'c', 'view', 1],
    ]);
    const m = buildUserItemMatrix(heavy, { maxItemsPerUser: 2 });
    expect(byUser(heavy, m)).toEqual({ u: { a: 1, b: 1 }, v: { c: 1 } });
    // Kept in their original order on the user side; the item side agrees.
    expect(Array.from(m.userItems)).toEqual([0, 1, 2]);
    expect(Array.from(m.itemOffsets)).toEqual([0, 1, 2, 3, 3]);
  });

  it('keeps the same items over the cap whatever the line order (a table has none)', () => {
    // '9' and '10' tie at time 3 with 'x': numeric ids first, 9 before 10.
    const rows: Row[] = [
      ['u', 'x', 'view', 3],
      ['u', '10', 'view', 3],
      ['u', 'y', 'view', 1],
      ['u', '9', 'view', 3],
      ['u', 'z', 'view', 4],
    ];
    for (const order of [
      rows,
      [...rows].reverse(),
      [rows[3], rows[0], rows[4], rows[1], rows[2]],
    ]) {
      const heavy = logOf(order);
      const kept = byUser(heavy, buildUserItemMatrix(heavy, { maxItemsPerUser: 3 }));
      expect(kept).toEqual({ u: { z: 1, '9': 1, '10': 1 } });
    }
  });

  it('refuses bad options with exact messages', () => {
    expect(refusal(() => buildUserItemMatrix(log, { weights: { view: -1 } }))).toBe(
      'weights.view must be a finite number >= 0, got -1',
    );
    expect(refusal(() => buildUserItemMatrix(log, { weights: { click: Number.NaN } }))).toBe(
      'weights.click must be a finite number >= 0, got NaN',
    );
    expect(refusal(() => buildUserItemMatrix(log, { halfLifeDays: 0 }))).toBe(
      'halfLifeDays must be a positive finite number, got 0',
    );
    expect(refusal(() => buildUserItemMatrix(log, { maxItemsPerUser: 1.5 }))).toBe(
      'maxItemsPerUser must be a positive integer, got 1.5',
    );
    const timeless = { ...log, times: new Float64Array(0) };
    expect(refusal(() => buildUserItemMatrix(timeless, { halfLifeDays: 1 }), 'INVALID_INPUT')).toBe(
      'halfLifeDays needs options.now when the log has no time column',
    );
  });
});

describe('the parts of a build', () => {
  const log = logOf(SHOP);

  it('groups the counted rows by user, file order kept inside a user', () => {
    const rows = groupRowsByUser(log, countedTypesOf({}));
    // u0: rows 0, 2, 3; u1: rows 1, 4 (its search does not count); u2: none.
    expect(Array.from(rows.rowStart)).toEqual([0, 3, 5, 5]);
    expect(Array.from(rows.byUser)).toEqual([0, 2, 3, 1, 4]);
  });

  it('sums each item over users without building the matrix', () => {
    // a: u0 8; b: u0 2 + u1 1; c: u1 4.
    expect(Array.from(itemTotals(log))).toEqual([8, 3, 4]);
    expect(Array.from(itemTotals(log, { binary: true }))).toEqual([1, 2, 1]);
  });

  it('cuts users into ranges of about equal row counts', () => {
    const rows = groupRowsByUser(log, countedTypesOf({}));
    // 5 rows: u0 has 3 of them, u1 and u2 the other 2.
    expect(splitUsers(rows.rowStart, 2)).toEqual([0, 1, 3]);
    expect(splitUsers(rows.rowStart, 1)).toEqual([0, 3]);
    // More parts than users with rows: no empty range twice.
    expect(splitUsers(rows.rowStart, 8)).toEqual([0, 1, 2, 3]);
  });

  it('counts co-occurring pairs as the sum over users of their item count squared', () => {
    // Users with 2, 3 and 1 items: 4 + 9 + 1.
    const m = { userCount: 3, userOffsets: Uint32Array.from([0, 2, 5, 6]) };
    expect(coOccurringPairs(m)).toBe(14);
    expect(coOccurringPairs(buildUserItemMatrix(log))).toBe(2 * 2 + 2 * 2);
  });
});

describe('shared and parallel builds of the matrix', () => {
  const log = syntheticLog();

  it('groups and collapses users in ranges (one per thread) into the same matrix as one pass', () => {
    const options = { k: 10, maxItemsPerUser: 5 };
    const counted = countedTypesOf(options);
    const whole = gathered(log, counted);
    const rows = planUserRows(log, counted);
    const cuts = splitUsers(rows.rowStart, 3);
    expect(cuts.length).toBe(4);
    expect(cuts[0]).toBe(0);
    expect(cuts[3]).toBe(log.userCount);
    const draft = draftUserItemMatrix(log, options, rows);
    // Ranges done out of order, as threads would finish them.
    for (const k of [2, 0, 1]) {
      gatherUserRows(log, rows, [cuts[k], cuts[k + 1]]);
      collapseUsers(log, options, rows, draft, [cuts[k], cuts[k + 1]]);
    }
    expect(rows).toEqual(whole);
    const m = finishUserItemMatrix(draft, rows, cuts);
    expect(m).toEqual(buildUserItemMatrix(log, options));
    const lists = buildNeighbourRows(planNeighbours(m, log.itemIds, options));
    expect(lists.indices).toEqual(buildNeighbours(log, options).indices);
  });

  it('stores whole-second times as Uint32 seconds, exactly, and others as they are', () => {
    const seconds = { ...log, times: log.times.map((t) => Math.round(t / 1000) * 1000) };
    const layout = timeLayout(seconds);
    expect(layout.seconds).toBe(true);
    const rows = gathered(seconds, countedTypesOf({}));
    expect(rows.times).toBeInstanceOf(Uint32Array);
    const counted = countedTypesOf({});
    const want = Array.from(seconds.times).filter((_, r) => counted[seconds.types[r]] === 1);
    const base = rows.timeBase ?? 0;
    const back = Array.from(rows.times ?? [], (t) => base + t * (rows.timeScale ?? 1));
    expect(back.sort((x, y) => x - y)).toEqual(want.sort((x, y) => x - y));
    expect(buildPopularity(seconds, { halfLifeDays: 3, now: layout.latest }, rows)).toEqual(
      buildPopularity(seconds, { halfLifeDays: 3 }),
    );
    const ms = { ...log, times: log.times.map((t, r) => Math.round(t / 1000) * 1000 + (r % 2)) };
    expect(timeLayout(ms).seconds).toBe(false);
    expect(gathered(ms, countedTypesOf({})).times).toBeInstanceOf(Float64Array);
  });

  it('takes times for whole seconds exactly when each is a multiple of 1000 ms', () => {
    const one = (t: number) => timeLayout({ ...log, times: Float64Array.of(t), length: 1 }).seconds;
    for (const t of [0, 1000, -3000, 1.7e12, 2 ** 53 - 992, 5e18])
      expect([t, one(t)]).toEqual([t, true]);
    for (const t of [1, -1, 999.5, 1.7e12 + 1, 2 ** 53 - 991, 2 ** 60, Number.NaN, Infinity])
      expect([t, one(t)]).toEqual([t, false]);
  });
});
