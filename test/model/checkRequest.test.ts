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
        'recommend: type must be one of similar, bought-together, for-you, recently-viewed, trending, got "x".',
      ],
      [
        undefined,
        'recommend: type must be one of similar, bought-together, for-you, recently-viewed, trending, got undefined.',
      ],
      [{ type: 'similar' }, 'recommend: itemId must be an item id, got undefined.'],
      [{ type: 'similar', itemId: '' }, 'recommend: itemId must be an item id, got "".'],
      [{ type: 'trending', limit: 0 }, 'recommend: limit must be an integer from 1 to 50, got 0.'],
      [
        { type: 'trending', limit: 51 },
        'recommend: limit must be an integer from 1 to 50, got 51.',
      ],
      [
        { type: 'trending', limit: 2.5 },
        'recommend: limit must be an integer from 1 to 50, got 2.5.',
      ],
      [{ type: 'trending', rules: 5 }, 'recommend: rules must be an object, got 5.'],
      [
        { type: 'trending', rules: { exclude: 5 } },
        'recommend: rules.exclude must be an array or a Set, got 5.',
      ],
      [
        { type: 'trending', rules: { cart: 'a' } },
        'recommend: rules.cart must be an array or a Set, got "a".',
      ],
      [
        { type: 'trending', rules: { excludePurchased: 1 } },
        'recommend: rules.excludePurchased must be true or false, got 1.',
      ],
      [
        { type: 'trending', rules: { filter: 'x' } },
        'recommend: rules.filter must be a function, got "x".',
      ],
      [
        { type: 'trending', rules: { category: 5 } },
        'recommend: rules.category must be a string or strings, got 5.',
      ],
      [
        { type: 'trending', rules: { category: ['a', 5] } },
        'recommend: rules.category must be a string or strings, got array.',
      ],
      [
        { type: 'trending', rules: { maxPrice: Number.NaN } },
        'recommend: rules.maxPrice must be a number, got NaN.',
      ],
      [
        { type: 'trending', rules: { boost: 'x' } },
        'recommend: rules.boost must be an object or a function, got "x".',
      ],
      [
        { type: 'trending', rules: { maxPerCategory: 0 } },
        'recommend: rules.maxPerCategory must be a positive integer, got 0.',
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
    ).toThrow('render: rules.maxPrice must be a number, got "cheap".');
    expect(() => checkRender(el, { type: 'trending', rules: { inStock: true } })).not.toThrow();
  });
});
