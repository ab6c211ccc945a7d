import { describe, expect, it } from 'vitest';
import { hasCoViews } from '../../src/model/hasCoViews';
import type { LikewiseEvent } from '../../src/types';

const ev = (session: string, itemId?: string, items?: string[]) =>
  ({
    id: `${session}-${itemId}`,
    type: items ? 'purchase' : 'view',
    ts: 1,
    session,
    itemId,
    items: items?.map((i) => ({ itemId: i })),
  }) as LikewiseEvent;

describe('hasCoViews', () => {
  it('is false without a session holding two different items', () => {
    expect(hasCoViews([])).toBe(false);
    expect(hasCoViews([ev('s', 'a'), ev('s', 'a'), ev('t', 'b'), ev('u', undefined)])).toBe(false);
  });

  it('is true for two items in one session, by itemId or by the lines of a purchase', () => {
    expect(hasCoViews([ev('s', 'a'), ev('t', 'a'), ev('s', 'b')])).toBe(true);
    expect(hasCoViews([ev('s', undefined, ['a', 'b'])])).toBe(true);
    expect(hasCoViews([ev('s', 'a'), ev('s', undefined, ['a'])])).toBe(false);
  });
});
