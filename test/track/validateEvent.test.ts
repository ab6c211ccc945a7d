import { describe, expect, it } from 'vitest';
import { isLikewiseError } from '../../src/errors';
import { checkEvent } from '../../src/shared/eventSchema';
import { MAX_TS, validateEvent } from '../../src/track/validateEvent';

/** The exact message validateEvent throws for `input` (and that it is an INVALID_EVENT). */
const message = (input: unknown): string => {
  try {
    validateEvent(input);
  } catch (e) {
    expect(isLikewiseError(e, 'INVALID_EVENT')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected validateEvent to throw');
};

describe('validateEvent', () => {
  it('accepts every documented event type', () => {
    expect(validateEvent({ type: 'view', itemId: 'sku-1' })).toEqual({
      type: 'view',
      itemId: 'sku-1',
    });
    expect(validateEvent({ type: 'click', itemId: 'a', rec: 'r1', pos: 0 })).toEqual({
      type: 'click',
      itemId: 'a',
      rec: 'r1',
      pos: 0,
    });
    expect(validateEvent({ type: 'add_to_cart', itemId: 'a', quantity: 2, price: 0 })).toEqual({
      type: 'add_to_cart',
      itemId: 'a',
      quantity: 2,
      price: 0,
    });
    expect(validateEvent({ type: 'remove_from_cart', items: [{ itemId: 'a' }] }).items).toEqual([
      { itemId: 'a' },
    ]);
    expect(
      validateEvent({
        type: 'purchase',
        items: [{ itemId: 'a', quantity: 1, price: 9.5 }],
        currency: 'eur',
      }),
    ).toEqual({
      type: 'purchase',
      items: [{ itemId: 'a', quantity: 1, price: 9.5 }],
      currency: 'EUR',
    });
    expect(validateEvent({ type: 'search', query: 'red shoes' })).toEqual({
      type: 'search',
      query: 'red shoes',
    });
    expect(
      validateEvent({ type: 'impression', itemId: 'a', scenario: 'similar', widget: 'pdp' }),
    ).toEqual({ type: 'impression', itemId: 'a', scenario: 'similar', widget: 'pdp' });
    // Internal types recorded by widgets are accepted but not advertised.
    expect(validateEvent({ type: 'impression', itemId: 'a' }).type).toBe('impression');
    expect(validateEvent({ type: 'dismiss', itemId: 'a' }).type).toBe('dismiss');
  });

  it('drops every undocumented field (data minimisation)', () => {
    const out = validateEvent({
      type: 'purchase',
      items: [{ itemId: 'a', price: 1, email: 'x@y.z', name: 'Ann' }],
      email: 'x@y.z',
      userAgent: 'Mozilla',
      session: 'forged',
      id: 'forged',
      group: 'holdout',
    });
    expect(out).toEqual({ type: 'purchase', items: [{ itemId: 'a', price: 1 }] });
    // A documented field set to null counts as absent.
    expect(validateEvent({ type: 'view', itemId: 'a', price: null, rec: null })).toEqual({
      type: 'view',
      itemId: 'a',
    });
  });

  it('works on a page that added enumerable properties to Object.prototype', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'x';
    try {
      expect(validateEvent({ type: 'view', itemId: 'a' })).toEqual({ type: 'view', itemId: 'a' });
      expect(validateEvent({ type: 'purchase', items: [{ itemId: 'a' }] })).toEqual({
        type: 'purchase',
        items: [{ itemId: 'a' }],
      });
    } finally {
      delete proto.polluted;
    }
  });

  it('refuses an event that cannot be read (a throwing getter, a revoked proxy)', () => {
    const trap = {
      type: 'view',
      get itemId(): string {
        throw new Error('getter');
      },
    };
    const { proxy, revoke } = Proxy.revocable({ type: 'view', itemId: 'a' }, {});
    revoke();
    for (const input of [trap, proxy]) {
      expect(message(input)).toBe('event cannot be read.');
    }
  });

  it('names the unknown type and lists the types', () => {
    expect(message({ type: 'veiw', itemId: 'a' })).toBe(
      `type must be one of view, click, add_to_cart, remove_from_cart, purchase, search, impression, dismiss, got "veiw".`,
    );
    expect(message({ type: 7, itemId: 'a' })).toBe(
      `type must be one of view, click, add_to_cart, remove_from_cart, purchase, search, impression, dismiss, got 7.`,
    );
    expect(message({ itemId: 'a' })).toBe(
      `type must be one of view, click, add_to_cart, remove_from_cart, purchase, search, impression, dismiss, got undefined.`,
    );
  });

  it('refuses what is not an object', () => {
    expect(message(null)).toBe('event must be an object, got null.');
    expect(message('view')).toBe('event must be an object, got "view".');
    expect(message([])).toBe('event must be an object, got [].');
    expect(message([{ type: 'view' }])).toBe('event must be an object, got array.');
  });

  it('refuses a missing or malformed item id', () => {
    expect(message({ type: 'view' })).toBe('event "view" needs an itemId.');
    expect(message({ type: 'click' })).toBe('event "click" needs an itemId.');
    expect(message({ type: 'view', itemId: 42 })).toBe(
      'itemId must be a string of 1 to 256 characters, got 42.',
    );
    expect(message({ type: 'view', itemId: '' })).toBe(
      'itemId must be a string of 1 to 256 characters, got "".',
    );
    expect(message({ type: 'view', itemId: 'x'.repeat(257) })).toBe(
      `itemId must be a string of 1 to 256 characters, got "${'x'.repeat(40)}…".`,
    );
    expect(validateEvent({ type: 'view', itemId: 'x'.repeat(256) }).itemId).toHaveLength(256);
    expect(message({ type: 'purchase', items: [{ itemId: 'a' }, { itemId: {} }] })).toBe(
      'items[1].itemId must be a string of 1 to 256 characters, got object.',
    );
    expect(message({ type: 'purchase', items: [{ price: 1 }] })).toBe(
      'items[0].itemId must be a string of 1 to 256 characters, got undefined.',
    );
  });

  it('refuses bad prices and quantities', () => {
    for (const price of [-1, Number.NaN, Infinity, '12'])
      expect(message({ type: 'view', itemId: 'a', price })).toBe(
        `price must be a finite number >= 0, got ${typeof price === 'string' ? '"12"' : price}.`,
      );
    for (const quantity of [0, 1.5, -2])
      expect(message({ type: 'add_to_cart', itemId: 'a', quantity })).toBe(
        `quantity must be an integer from 1 to 1000000, got ${quantity}.`,
      );
    expect(message({ type: 'purchase', items: [{ itemId: 'a', price: -3 }] })).toBe(
      'items[0].price must be a finite number >= 0, got -3.',
    );
    expect(message({ type: 'purchase', items: [{ itemId: 'a', quantity: 0 }] })).toBe(
      'items[0].quantity must be an integer from 1 to 1000000, got 0.',
    );
  });

  it('refuses a purchase without items', () => {
    expect(message({ type: 'purchase' })).toBe('event "purchase" needs an itemId or items.');
    expect(message({ type: 'purchase', items: [] })).toBe(
      'items must be an array of 1 to 100 lines, got [].',
    );
    expect(message({ type: 'purchase', items: 'a' })).toBe(
      'items must be an array of 1 to 100 lines, got "a".',
    );
    expect(message({ type: 'purchase', items: [null] })).toBe(
      'items[0] must be an object, got null.',
    );
    // A hole is a missing line (map() would skip it and store the hole).
    // biome-ignore lint/suspicious/noSparseArray: the case under test
    const holed = [, { itemId: 'a' }];
    expect(message({ type: 'purchase', items: holed })).toBe(
      'items[0] must be an object, got undefined.',
    );
    // The stored form too (the one schema).
    expect(
      checkEvent({ type: 'purchase', items: holed, id: 'e', session: 's', ts: 1 }, true),
    ).toMatchObject({ ok: false, error: 'items[0] must be an object' });
    expect(message({ type: 'add_to_cart' })).toBe('event "add_to_cart" needs an itemId or items.');
  });

  it('refuses a search without a usable query', () => {
    expect(message({ type: 'search' })).toBe('event "search" needs a query.');
    expect(message({ type: 'search', query: '' })).toBe(
      'query must be a string of 1 to 256 characters, got "".',
    );
    expect(message({ type: 'search', query: 'q'.repeat(300) })).toBe(
      `query must be a string of 1 to 256 characters, got "${'q'.repeat(40)}…".`,
    );
  });

  it('refuses bad decorations', () => {
    expect(message({ type: 'click', itemId: 'a', pos: -1 })).toBe(
      'pos must be an integer from 0 to 10000, got -1.',
    );
    expect(message({ type: 'click', itemId: 'a', rec: 5 })).toBe(
      'rec must be a string of 1 to 256 characters, got 5.',
    );
    expect(message({ type: 'view', itemId: 'a', currency: 'euro' })).toBe(
      'currency must be an ISO 4217 code, got "euro".',
    );
    expect(message({ type: 'impression', itemId: 'a', scenario: 'popular' })).toBe(
      'scenario must be one of similar, bought-together, for-you, recently-viewed, trending, got "popular".',
    );
    expect(message({ type: 'click', itemId: 'a', widget: 'w'.repeat(65) })).toMatch(
      /^widget must be a string of 1 to 64 characters, got "w{40}…"\.$/,
    );
    expect(message({ type: 'view', itemId: 'a', ts: 'now' })).toBe(
      'ts must be a time in ms since 1970, before 2100, got "now".',
    );
    expect(message({ type: 'view', itemId: 'a', ts: 0 })).toBe(
      'ts must be a time in ms since 1970, before 2100, got 0.',
    );
    // Microseconds by mistake, and past the last valid Date.
    for (const ts of [1.7e15, 9e15])
      expect(message({ type: 'view', itemId: 'a', ts })).toBe(
        `ts must be a time in ms since 1970, before 2100, got ${ts}.`,
      );
    expect(validateEvent({ type: 'view', itemId: 'a', ts: MAX_TS - 1 }).ts).toBe(MAX_TS - 1);
  });

  it('cuts long values in messages', () => {
    expect(message({ type: 'v'.repeat(100) })).toBe(
      `type must be one of view, click, add_to_cart, remove_from_cart, purchase, search, impression, dismiss, got "${'v'.repeat(40)}…".`,
    );
  });

  it('refuses an event over 2 KB once serialised, counting UTF-8 bytes', () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ itemId: `item-${i}-${'x'.repeat(20)}` }));
    expect(message({ type: 'purchase', items })).toMatch(
      /^event is larger than 2048 bytes \(\d+\)\.$/,
    );
    // 200 three-byte characters are 600 bytes: still fine.
    expect(validateEvent({ type: 'search', query: '€'.repeat(200) }).query).toHaveLength(200);
    // Unknown fields do not count: they are dropped before measuring.
    expect(validateEvent({ type: 'view', itemId: 'a', blob: 'x'.repeat(10_000) })).toEqual({
      type: 'view',
      itemId: 'a',
    });
  });
});
