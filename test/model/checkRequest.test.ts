// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { isLikewiseError } from '../../src/errors';
import { checkRequest } from '../../src/model/checkRequest';
import { checkRender } from '../../src/widgets/checkRender';

describe('checkRequest', () => {
  it('refuses misuse with exact messages (INVALID_OPTION)', () => {
    const cases: [unknown, string][] = [
      [
        { type: 'x' },
        'recommend: unknown type "x"; expected one of similar, bought-together, for-you, recently-viewed, trending',
      ],
      [
        undefined,
        'recommend: unknown type undefined; expected one of similar, bought-together, for-you, recently-viewed, trending',
      ],
      [{ type: 'similar' }, 'recommend: "similar" needs an itemId'],
      [{ type: 'similar', itemId: '' }, 'recommend: "similar" needs an itemId'],
      [{ type: 'trending', limit: 0 }, 'recommend: limit must be an integer from 1 to 50'],
      [{ type: 'trending', limit: 51 }, 'recommend: limit must be an integer from 1 to 50'],
      [{ type: 'trending', limit: 2.5 }, 'recommend: limit must be an integer from 1 to 50'],
      [{ type: 'trending', rules: 5 }, 'recommend: rules must be an object'],
      [
        { type: 'trending', rules: { exclude: 5 } },
        'recommend: rules.exclude must be an array or a Set of item ids',
      ],
      [
        { type: 'trending', rules: { cart: 'a' } },
        'recommend: rules.cart must be an array or a Set of item ids',
      ],
      [
        { type: 'trending', rules: { excludePurchased: 1 } },
        'recommend: rules.excludePurchased must be true or false',
      ],
      [{ type: 'trending', rules: { filter: 'x' } }, 'recommend: rules.filter must be a function'],
      [
        { type: 'trending', rules: { category: 5 } },
        'recommend: rules.category must be a category or an array of them',
      ],
      [
        { type: 'trending', rules: { category: ['a', 5] } },
        'recommend: rules.category must be a category or an array of them',
      ],
      [
        { type: 'trending', rules: { maxPrice: Number.NaN } },
        'recommend: rules.maxPrice must be a number',
      ],
      [
        { type: 'trending', rules: { boost: 'x' } },
        'recommend: rules.boost must be an object or a function',
      ],
      [
        { type: 'trending', rules: { maxPerCategory: 0 } },
        'recommend: rules.maxPerCategory must be a positive integer',
      ],
    ];
    for (const [request, message] of cases) {
      let thrown: unknown;
      try {
        checkRequest(request as never);
      } catch (e) {
        thrown = e;
      }
      expect(isLikewiseError(thrown, 'INVALID_OPTION')).toBe(true);
      expect((thrown as Error).message).toBe(message);
    }
  });

  it('passes a well-formed request', () => {
    expect(() =>
      checkRequest({
        type: 'similar',
        itemId: 'a',
        limit: 3,
        rules: { maxPrice: 5, category: ['x'] },
      }),
    ).not.toThrow();
  });
});

describe('checkRender: rules are checked at the call too', () => {
  it('throws for a bad rule, and takes inStock: true from markup', () => {
    const el = document.createElement('div');
    expect(() =>
      checkRender(el, { type: 'trending', rules: { maxPrice: 'cheap' as never } }),
    ).toThrow('render: rules.maxPrice must be a number');
    expect(() => checkRender(el, { type: 'trending', rules: { inStock: true } })).not.toThrow();
  });
});
