import { describe, expect, it } from 'vitest';
import {
  type BuildOptions,
  buildNeighbours,
  planNeighbours,
} from '../../src/engine/buildNeighbours';
import { compareIds } from '../../src/engine/compareIds';
import { EVENT_TYPE_CODES, type InteractionLog } from '../../src/engine/types';
import { typeWeights } from '../../src/engine/userItemMatrix';
import { sequenceMatrix, userSequences, windowedPairs } from '../../src/engine/userSequences';
import { listsOf, logOf } from './fixtures';
import { rng, syntheticLog } from './synthetic';

describe('userSequences', () => {
  it('orders each user’s distinct items by their latest event, later line on equal times', () => {
    const log = logOf([
      ['u1', 'a', 'view', 1],
      ['u1', 'b', 'view', 2],
      ['u1', 'a', 'purchase', 3],
      ['u2', 'c', 'view', 5],
      ['u2', 'd', 'view', 5],
      ['u1', 'c', 'search', 4],
    ]);
    const s = userSequences(log);
    const names = Array.from(s.items, (i) => log.itemIds[i]);
    // u1: b (2), a (3); the search does not count. u2: c, d at one time: file order.
    expect(names).toEqual(['b', 'a', 'c', 'd']);
    expect([...s.offsets]).toEqual([0, 2, 4]);
    // a keeps its strongest type's weight (purchase 8).
    expect([...s.values]).toEqual([1, 8, 1, 1]);
    expect(userSequences(log, { maxItemsPerUser: 1 }).items.length).toBe(2);
  });

  it('orders long histories out of file order too (hundreds of items, ties by line)', () => {
    const random = rng(4);
    const n = 300;
    const users = new Uint32Array(n);
    const items = Uint32Array.from({ length: n }, (_, r) => r);
    // Few distinct times: many ties, broken by the line.
    const times = Float64Array.from({ length: n }, () => Math.floor(random() * 40) * 1000);
    const log = {
      itemIds: Array.from({ length: n }, (_, r) => `i${r}`),
      userCount: 1,
      users,
      items,
      types: new Uint8Array(n),
      times,
      length: n,
    };
    const want = Array.from({ length: n }, (_, r) => r).sort(
      (a, b) => times[a] - times[b] || a - b,
    );
    expect([...userSequences(log).items]).toEqual(want);
  });

  it('orders by time whatever the times are: negative, fractional, decades apart, or in file order', () => {
    const random = rng(11);
    const n = 2000;
    const kinds: [string, (r: number) => number][] = [
      ['negative and fractional', () => (random() - 0.5) * 1e6],
      ['decades apart, with fractions', () => random() * 3e12 - 1e12 + random()],
      ['whole seconds with ties', () => 1.7e12 + Math.floor(random() * 50) * 1000],
      ['a year apart, to the millisecond', () => 1.7e12 + Math.floor(random() * 2 ** 35)],
      ['zero and minus zero', () => (random() < 0.5 ? -0 : 0)],
      ['in file order', (r) => 1.7e12 + Math.floor(r / 3) * 1000],
      // Keys in whole seconds are checked as they are made: these are not
      // all whole seconds, or not within 2^32 seconds of each other.
      ['half a second past whole seconds', () => 1.7e12 + 500 + Math.floor(random() * 50) * 1000],
      ['whole seconds but one', (r) => 1.7e12 + Math.floor(random() * 50) * 1000 + Number(r === 0)],
      ['whole seconds two centuries apart', () => Math.floor(random() * 2 ** 33) * 1000],
    ];
    for (const [kind, timeOf] of kinds) {
      // Four users, each item met once: the sequence is the user's rows by time.
      const times = Float64Array.from({ length: n }, (_, r) => timeOf(r));
      const users = Uint32Array.from({ length: n }, (_, r) => r % 4);
      const log = {
        itemIds: Array.from({ length: n }, (_, r) => `i${r}`),
        userCount: 4,
        users,
        items: Uint32Array.from({ length: n }, (_, r) => r),
        types: new Uint8Array(n),
        times,
        length: n,
      };
      const want = Array.from({ length: n }, (_, r) => r).sort(
        (a, b) => users[a] - users[b] || times[a] - times[b] || a - b,
      );
      expect([...userSequences(log).items], kind).toEqual(want);
    }
  });

  it('keeps each item’s latest place and strongest type whatever the file order: by user, by time, or neither', () => {
    // Each order takes another path (read as it is, grouped by user, sorted
    // by time): all must give what a sort of the rows by user, time and
    // line gives, every event type met, repeats and uncounted types too.
    const random = rng(21);
    const rows = Array.from({ length: 3000 }, () => ({
      user: Math.floor(random() * 40),
      item: Math.floor(random() * 150),
      type: Math.floor(random() * EVENT_TYPE_CODES.length),
      time: 1.7e12 + Math.floor(random() * 500) * 1000,
    }));
    const options = { weights: { click: 3, purchase: 5 } };
    const weightOf = typeWeights(options);
    const orders: [string, (a: Row, b: Row) => number][] = [
      ['by user, then time', (a, b) => a.user - b.user || a.time - b.time],
      ['by time', (a, b) => a.time - b.time],
      ['neither', () => 0],
    ];
    type Row = (typeof rows)[number];
    for (const [order, compare] of orders) {
      const file = [...rows].sort(compare);
      const log = {
        itemIds: Array.from({ length: 150 }, (_, i) => `i${i}`),
        userCount: 40,
        users: Uint32Array.from(file, (r) => r.user),
        items: Uint32Array.from(file, (r) => r.item),
        types: Uint8Array.from(file, (r) => r.type),
        times: Float64Array.from(file, (r) => r.time),
        length: file.length,
      };
      const want: [number, number][] = [];
      for (let u = 0; u < 40; u++) {
        const mine = file
          .map((r, line) => ({ ...r, line }))
          .filter((r) => r.user === u && weightOf[r.type] > 0)
          .sort((a, b) => a.time - b.time || a.line - b.line);
        const last = new Map<number, number>();
        const value = new Map<number, number>();
        for (const [x, r] of mine.entries()) {
          last.set(r.item, x);
          value.set(r.item, Math.max(value.get(r.item) ?? 0, weightOf[r.type]));
        }
        for (const item of [...last.keys()].sort((a, b) => (last.get(a) ?? 0) - (last.get(b) ?? 0)))
          want.push([item, value.get(item) ?? 0]);
      }
      const s = userSequences(log, options);
      expect(
        Array.from(s.items, (item, q) => [item, s.values[q]]),
        order,
      ).toEqual(want);
    }
  });

  it('refuses more items than its row codes hold, with an exact message', () => {
    const log = logOf([['u', 'a']]);
    const huge = { ...log, itemIds: { length: 2 ** 29 + 1 } as unknown as string[] };
    expect(() => userSequences(huge)).toThrow(
      'userSequences reads at most 536870912 items, got 536870913',
    );
  });

  it('counts the pairs a window visits', () => {
    const log = logOf([
      ['u', 'a'],
      ['u', 'b'],
      ['u', 'c'],
      ['u', 'd'],
    ]);
    // Window 2: (a,b) (a,c) (b,c) (b,d) (c,d), each from both ends.
    expect(windowedPairs(userSequences(log), 2)).toBe(10);
  });
});

describe('buildNeighbours sequence', () => {
  // u1 views a, b, c in that order; u2 views b, then a.
  const log = logOf([
    ['u1', 'a', 'view', 1],
    ['u1', 'b', 'view', 2],
    ['u1', 'c', 'view', 3],
    ['u2', 'b', 'view', 1],
    ['u2', 'a', 'view', 2],
  ]);

  it('weights pairs by 1 / gap, items met before by the backward weight, normalised as cosine', () => {
    const lists = listsOf(
      buildNeighbours(log, { similarity: 'sequence', window: 2, backward: 0.5 }),
    );
    // a: b follows once (1) and precedes once (0.5): 1.5 / sqrt(2 * 2);
    //    c follows two steps on: 0.5 / sqrt(2 * 1).
    // b: c follows (1): 1 / sqrt(2); a precedes in u1 (0.5) and follows in u2 (1).
    // c: b precedes (0.5), a two steps back (0.25).
    const want: Record<string, [string, number][]> = {
      a: [
        ['b', 0.75],
        ['c', 0.5 / Math.SQRT2],
      ],
      b: [
        ['a', 0.75],
        ['c', 1 / Math.SQRT2],
      ],
      c: [
        ['b', 0.5 / Math.SQRT2],
        ['a', 0.25 / Math.SQRT2],
      ],
    };
    for (const id of ['a', 'b', 'c']) {
      expect(lists[id].map(([j]) => j)).toEqual(want[id].map(([j]) => j));
      for (const [x, [, v]] of lists[id].entries()) expect(v).toBeCloseTo(want[id][x][1], 6);
    }
  });

  it('leaves out items further apart than the window, and what came before with backward 0', () => {
    const lists = listsOf(buildNeighbours(log, { similarity: 'sequence', window: 1, backward: 0 }));
    expect(lists.a.map(([j]) => j)).toEqual(['b']);
    expect(lists.c).toEqual([]);
  });

  it('equals a brute-force count over every pair of a generated log', () => {
    const big = syntheticLog({ users: 80, items: 60, seed: 9 });
    const options = { similarity: 'sequence' as const, window: 3, backward: 0.25, k: 10 };
    expectBruteForce(big, options);
  });

  it('equals a brute-force count with either layout of the sequences, values or none, backward or not', () => {
    // Long histories are laid out a window apart (no bounds in the row
    // loop); short sessions are not (the padding would be most of the visits).
    const long = syntheticLog({
      users: 60,
      items: 90,
      categories: 3,
      sessionsPerUser: 12,
      seed: 3,
    });
    const short = syntheticLog({
      users: 300,
      items: 90,
      sessionsPerUser: 1,
      eventsPerSession: 3,
      seed: 5,
    });
    const layouts = new Set<number>();
    for (const log of [long, short])
      for (const options of [
        { similarity: 'sequence' as const, window: 4, backward: 0.5, k: 7 },
        { similarity: 'sequence' as const, window: 2, backward: 0, k: 5, binary: true },
        { similarity: 'sequence' as const, window: 6, backward: 1, k: 12, alpha: 0.75 },
      ]) {
        const s = userSequences(log, options);
        const plan = planNeighbours(
          sequenceMatrix(s, log.itemIds.length),
          log.itemIds,
          options,
          false,
          undefined,
          s,
        );
        layouts.add(plan.sequence?.pad ?? -1);
        expectBruteForce(log, options);
      }
    expect([...layouts].sort()).toEqual([0, 2, 4, 6]);
  });

  it('scores a log of purchases only as the same log of views, with shrinkage too', () => {
    // One weight for every pair cancels out of the normalisation: a shop
    // logging only purchases (weight 8) gets the same scores as with views.
    const views = syntheticLog({ users: 80, items: 60, seed: 9 });
    const purchases = {
      ...views,
      types: new Uint8Array(views.length).fill(EVENT_TYPE_CODES.indexOf('purchase')),
    };
    for (const shrinkage of [0, 2]) {
      const options = { similarity: 'sequence' as const, window: 3, backward: 0.25, shrinkage };
      const want = listsOf(
        buildNeighbours({ ...views, types: new Uint8Array(views.length) }, options),
      );
      const got = listsOf(buildNeighbours(purchases, options));
      expect(Object.values(got).flat().length).toBeGreaterThan(100);
      for (const id of views.itemIds) {
        expect(got[id].map(([j]) => j)).toEqual(want[id].map(([j]) => j));
        for (const [x, [, v]] of got[id].entries()) expect(v).toBeCloseTo(want[id][x][1], 6);
      }
    }
  });

  it('gives the same lists in a catalogue of over 65,536 items (labels in 32 bits)', () => {
    const small = syntheticLog({ users: 80, items: 60, seed: 9 });
    const options = { similarity: 'sequence' as const, window: 3, backward: 0.25, k: 10 };
    const want = listsOf(buildNeighbours(small, options));
    // The same events; 70,000 more items that nobody met.
    const itemIds = [...small.itemIds, ...Array.from({ length: 70_000 }, (_, x) => `pad-${x}`)];
    const got = listsOf(buildNeighbours({ ...small, itemIds }, options));
    for (const id of small.itemIds) expect(got[id]).toEqual(want[id]);
  });

  it('refuses a window or backward weight out of range with exact messages', () => {
    expect(() => buildNeighbours(log, { similarity: 'sequence', window: 0 })).toThrow(
      'window must be an integer from 1 to 1000, got 0',
    );
    expect(() => buildNeighbours(log, { similarity: 'sequence', backward: 2 })).toThrow(
      'backward must be in [0, 1], got 2',
    );
  });
});

/** Every list of a sequence build equals a brute-force count over all pairs of `log`. */
function expectBruteForce(
  log: InteractionLog,
  options: BuildOptions & { window: number; backward: number; k: number },
): void {
  const got = listsOf(buildNeighbours(log, options));
  const s = userSequences(log, options);
  const n = log.itemIds.length;
  const alpha = options.alpha ?? 0.5;
  const c = Array.from({ length: n }, () => new Float64Array(n));
  const sq = new Float64Array(n);
  for (let u = 0; u + 1 < s.offsets.length; u++)
    for (let a = s.offsets[u]; a < s.offsets[u + 1]; a++) {
      sq[s.items[a]] += s.values[a] ** 2;
      for (let b = s.offsets[u]; b < s.offsets[u + 1]; b++) {
        const d = Math.abs(b - a);
        if (d === 0 || d > options.window) continue;
        c[s.items[a]][s.items[b]] +=
          (s.values[a] * s.values[b] * (b > a ? 1 : options.backward)) / d;
      }
    }
  let listed = 0;
  for (let i = 0; i < n; i++) {
    const all: [string, number][] = [];
    for (let j = 0; j < n; j++)
      if (j !== i && c[i][j] > 0)
        all.push([log.itemIds[j], Math.fround(c[i][j] / (sq[i] ** alpha * sq[j] ** (1 - alpha)))]);
    all.sort((x, y) => y[1] - x[1] || compareIds(x[0], y[0]));
    const want = all.slice(0, options.k);
    const list = got[log.itemIds[i]];
    expect(list.map(([j]) => j)).toEqual(want.map(([j]) => j));
    for (const [x, [, v]] of list.entries()) expect(v).toBeCloseTo(want[x][1], 5);
    listed += list.length;
  }
  expect(listed).toBeGreaterThan(n);
}
