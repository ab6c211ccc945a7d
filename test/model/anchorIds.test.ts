import { describe, expect, it } from 'vitest';
import { anchorIds, FOR_YOU_ANCHORS, historyIds } from '../../src/model/anchorIds';
import { event } from './fixtures';

describe('anchorIds', () => {
  it('historyIds: distinct items latest first, without types that carry no interest', () => {
    expect(
      historyIds([
        event('view', 'a', 1),
        event('purchase', undefined, 2, { items: [{ itemId: 'b' }, { itemId: 'c' }] }),
        event('impression', 'x', 3),
        event('dismiss', 'y', 4),
        event('remove_from_cart', 'w', 5),
        event('view', 'a', 6),
      ]),
    ).toEqual(['a', 'b', 'c']);
  });

  it('for-you starts from the latest items of the history, at most FOR_YOU_ANCHORS', () => {
    const events = Array.from({ length: 20 }, (_, i) => event('view', `p${i}`, 1000 + i));
    const anchors = anchorIds('for-you', 'p0', events);
    expect(anchors).toHaveLength(FOR_YOU_ANCHORS);
    expect(anchors.slice(0, 2)).toEqual(['p19', 'p18']);
  });

  it('the other scenarios start from the current item, without one from the cart', () => {
    const events = [event('add_to_cart', 'c', 1), event('view', 'v', 2)];
    expect(anchorIds('similar', 'sku-1', events)).toEqual(['sku-1']);
    expect(anchorIds('bought-together', undefined, events)).toEqual(['c']);
    expect(anchorIds('bought-together', undefined, [])).toEqual([]);
  });
});
