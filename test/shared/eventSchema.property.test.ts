import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateEvent as collectorValidate } from '../../src/metrics/validateEvent';
import { EVENT_TYPES, MAX_EVENT_BYTES, MAX_TS, SCENARIOS } from '../../src/shared/eventSchema';
import { utf8Length } from '../../src/shared/utf8Length';
import { isValidEvent } from '../../src/store/isValidEvent';
import { validateEvent as trackerValidate } from '../../src/track/validateEvent';
import { fuzzRuns } from '../support/fuzzRuns';

/** Mostly valid values, one in five near a limit or of the wrong type. */
const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: bad });
const text = (max: number) =>
  mostly(
    fc.oneof(
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.constantFrom('x'.repeat(max), '€'.repeat(max), '\uD800'),
    ),
    fc.constantFrom('', 'x'.repeat(max + 1), null, 42, {}, [], true),
  );
const count = (max: number) =>
  mostly(
    fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(max)),
    fc.constantFrom(0, -1, max + 1, 2 * max, 1.5, Number.NaN, Infinity, '2', null),
  );
const price = mostly(
  fc.oneof(fc.double({ min: 0, max: 1e9, noNaN: true }), fc.constant(0)),
  fc.constantFrom(-1, Infinity, Number.NaN, '1', null),
);
const line = mostly(
  fc.record(
    { itemId: text(256), quantity: count(1_000_000), price, email: fc.string() },
    { requiredKeys: ['itemId'] },
  ),
  fc.oneof(fc.record({ quantity: count(1_000_000) }), fc.constantFrom(null, 'a', 5, [])),
);
const items = mostly(
  fc.oneof(
    fc.array(line, { minLength: 1, maxLength: 4 }),
    fc
      .integer({ min: 95, max: 105 })
      .map((n) => Array.from({ length: n }, (_, i) => ({ itemId: `i${i}` }))),
    fc.array(fc.record({ itemId: fc.string({ minLength: 30, maxLength: 40 }) }), {
      minLength: 40,
      maxLength: 60,
    }),
  ),
  fc.constantFrom([], 'a', null, {}),
);
const fields = {
  type: mostly(fc.constantFrom(...EVENT_TYPES), fc.constantFrom('veiw', '', 'VIEW', 7, null)),
  itemId: text(256),
  quantity: count(1_000_000),
  price,
  currency: mostly(
    fc.constantFrom('EUR', 'eur', 'Usd'),
    fc.constantFrom('euro', '', 'E1R', null, 5),
  ),
  query: text(256),
  rec: text(256),
  pos: mostly(
    fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(10_000)),
    fc.constantFrom(-1, 10_001, 20_000, 1.5, '1', null),
  ),
  ts: mostly(
    fc.oneof(fc.integer({ min: 1, max: MAX_TS - 1 }), fc.constant(MAX_TS - 1)),
    fc.constantFrom(0, -1, MAX_TS, 1.7e15, '1', Number.NaN, null),
  ),
  scenario: mostly(fc.constantFrom(...SCENARIOS), fc.constantFrom('popular', '', null)),
  widget: text(64),
  items,
  email: fc.string(),
};
/** A page's `track()` argument: any subset of the fields, usually a few. */
const input = fc.oneof(
  { weight: 8, arbitrary: fc.record(fields, { requiredKeys: ['type'] }) },
  { weight: 1, arbitrary: fc.record(fields, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.anything() },
);
const envelope = fc.record(
  {
    id: text(64),
    session: text(64),
    visitor: text(64),
    group: fc.constantFrom('treatment', 'holdout', 'control', null),
  },
  { requiredKeys: [] },
);

const tracked = (x: unknown) => {
  try {
    return trackerValidate(x);
  } catch {
    return undefined;
  }
};
const ENVELOPE = ['id', 'session', 'visitor', 'group'];
const without = (o: object, keys: string[]) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
const isObj = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

describe('one event schema: the tracker and the collector agree', () => {
  it('every event the tracker accepts, the collector and the store accept, unchanged', () => {
    fc.assert(
      fc.property(input, (x) => {
        const e = tracked(x);
        if (!e) return;
        const wire = { ...e, id: 'e1', session: 's1', ts: e.ts ?? 1_700_000_000_000 };
        const r = collectorValidate(wire);
        expect(r).toEqual({ ok: true, event: wire });
        expect(isValidEvent(wire)).toBe(true);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('every event the collector accepts, the tracker accepts, normalised the same', () => {
    fc.assert(
      fc.property(input, envelope, (x, env) => {
        const wire = isObj(x) ? { ...x, ...env } : x;
        const r = collectorValidate(wire);
        if (!r.ok) return;
        const e = tracked(without(wire as object, ENVELOPE));
        expect(e).toBeDefined();
        expect(r.event).toEqual({ ...e, ...without(r.event, Object.keys(e ?? {})) });
        expect(without(r.event, ENVELOPE)).toEqual(e);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('an event with a valid envelope is accepted by both or refused by both', () => {
    fc.assert(
      fc.property(input, (x) => {
        if (!isObj(x)) return;
        const wire = { ...x, id: 'e1', session: 's1', ts: x.ts ?? 1_700_000_000_000 };
        expect(collectorValidate(wire).ok).toBe(tracked(x) !== undefined);
      }),
      { numRuns: fuzzRuns() },
    );
  });

  it('counts UTF-8 bytes as TextEncoder does', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});

describe('one event schema: the cases the audit found', () => {
  const base = { id: 'e1', session: 's1', ts: 1_700_000_000_000 };
  it.each([
    ['pos 20000', { type: 'click', itemId: 'a', pos: 20_000 }],
    ['quantity 2e6', { type: 'add_to_cart', itemId: 'a', quantity: 2e6 }],
    [
      'a 120-line purchase',
      { type: 'purchase', items: Array.from({ length: 120 }, (_, i) => ({ itemId: `${i}` })) },
    ],
    ['itemId null on a view', { type: 'view', itemId: null }],
    ['an empty query', { type: 'search', query: '' }],
    [
      'an event over the size limit',
      {
        type: 'search',
        query: 'q',
        rec: '€'.repeat(256),
        widget: 'w',
        items: Array(40).fill({ itemId: 'x'.repeat(40) }),
      },
    ],
  ])('%s: refused by both', (_, x) => {
    expect(tracked(x)).toBeUndefined();
    expect(collectorValidate({ ...x, ...base }).ok).toBe(false);
  });

  it('measures the same bytes in both (fields the SDK sets do not count)', () => {
    const query = 'q'.repeat(256);
    const fill = MAX_EVENT_BYTES - utf8Length(JSON.stringify({ type: 'search', query, items: [] }));
    const lines = Math.floor(fill / 21);
    const x = {
      type: 'search',
      query,
      items: Array.from({ length: lines }, (_, i) => ({ itemId: `${i}`.padStart(7, '0') })),
    };
    const bytes = utf8Length(JSON.stringify(x));
    expect(bytes).toBeLessThanOrEqual(MAX_EVENT_BYTES);
    expect(tracked(x)).toBeDefined();
    expect(collectorValidate({ ...x, ...base, visitor: 'v'.repeat(64) }).ok).toBe(true);
  });

  it('event type names start with distinct bytes (readEvents looks types up by their first byte)', () => {
    expect(new Set(EVENT_TYPES.map((t) => t[0])).size).toBe(EVENT_TYPES.length);
  });
});
