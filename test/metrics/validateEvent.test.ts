import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_CODES } from '../../src/engine/types';
import { validateEvent } from '../../src/metrics/validateEvent';
import { SCENARIOS } from '../../src/model/createRecommender';

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
    [{ ...base, quantity: 1.5 }, 'quantity must be a positive integer'],
    [{ ...base, currency: 'eur' }, 'currency must be an ISO 4217 code'],
    [{ ...base, items: [{ quantity: 1 }] }, 'every line in items needs an itemId'],
    [{ ...base, group: 'control' }, 'group must be treatment or holdout'],
    [{ ...base, scenario: '<b>' }, 'scenario is not a known scenario'],
    [[base], 'event is not an object'],
  ])('refuses %j', (value, error) => {
    expect(validateEvent(value)).toEqual({ ok: false, error });
  });

  it('accepts every event type and scenario the tracker records', () => {
    for (const type of EVENT_TYPE_CODES)
      for (const scenario of SCENARIOS)
        expect(validateEvent({ ...base, type, scenario }).ok, `${type} ${scenario}`).toBe(true);
  });
});
