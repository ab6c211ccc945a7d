import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_CODES } from '../../src/engine/types';
import { validateEvent } from '../../src/metrics/validateEvent';
import { SCENARIOS } from '../../src/shared/eventSchema';

const base = { id: 'e1', type: 'view', ts: 1_700_000_000_000, session: 's1', itemId: 'a' };

describe('validateEvent', () => {
  it('keeps documented fields and drops the rest', () => {
    const r = validateEvent({
      ...base,
      email: 'x@y.z',
      scenario: 'similar',
      widget: 'pdp',
      visitor: 'v',
      pos: 2,
    });
    expect(r).toEqual({
      ok: true,
      event: { ...base, scenario: 'similar', widget: 'pdp', visitor: 'v', pos: 2 },
    });
  });

  it.each([
    [{ ...base, id: 'x'.repeat(65) }, 'id must be a string of 1 to 64 characters'],
    [{ ...base, type: 'veiw' }, 'type is not a known event type'],
    [{ ...base, ts: '1' }, 'ts must be a time in ms since 1970, before 2100'],
    [{ ...base, ts: 1.7e15 }, 'ts must be a time in ms since 1970, before 2100'],
    [{ ...base, itemId: 'x'.repeat(257) }, 'itemId must be a string of 1 to 256 characters'],
    [{ ...base, price: -1 }, 'price must be a finite number >= 0'],
    [{ ...base, quantity: 1.5 }, 'quantity must be an integer from 1 to 1000000'],
    [{ ...base, quantity: 2e6 }, 'quantity must be an integer from 1 to 1000000'],
    [{ ...base, currency: 'euro' }, 'currency must be an ISO 4217 code'],
    [
      { ...base, items: [{ quantity: 1 }] },
      'items[0].itemId must be a string of 1 to 256 characters',
    ],
    [
      { ...base, type: 'purchase', items: Array(101).fill({ itemId: 'a' }) },
      'items must be an array of 1 to 100 lines',
    ],
    [{ ...base, pos: 20_000 }, 'pos must be an integer from 0 to 10000'],
    [
      { ...base, type: 'search', itemId: undefined, query: '' },
      'query must be a string of 1 to 256 characters',
    ],
    [{ ...base, type: 'search', itemId: undefined }, 'event "search" needs a query'],
    [{ ...base, itemId: null }, 'event "view" needs an itemId'],
    [{ ...base, session: undefined }, 'session must be a string of 1 to 64 characters'],
    [{ ...base, group: 'control' }, 'group must be treatment or holdout'],
    [
      { ...base, scenario: '<b>' },
      'scenario must be one of similar, bought-together, for-you, recently-viewed, trending',
    ],
    [[base], 'event must be an object'],
  ])('refuses %j', (value, error) => {
    expect(validateEvent(value)).toMatchObject({ ok: false, error });
  });

  it('upper-cases a currency, as the tracker stores it', () => {
    expect(validateEvent({ ...base, currency: 'eur' })).toMatchObject({
      ok: true,
      event: { currency: 'EUR' },
    });
  });

  it('accepts every event type and scenario the tracker records', () => {
    for (const type of EVENT_TYPE_CODES)
      for (const scenario of SCENARIOS)
        expect(
          validateEvent({ ...base, type, scenario, query: 'q' }).ok,
          `${type} ${scenario}`,
        ).toBe(true);
  });
});
