// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { optionsFromAttributes } from '../../src/widgets/optionsFromAttributes';

const el = (attrs: Record<string, string>) => {
  const div = document.createElement('div');
  for (const [k, v] of Object.entries(attrs)) div.setAttribute(k, v);
  return div;
};
const read = (attrs: Record<string, string>) =>
  optionsFromAttributes(el(attrs), 'data-', 'data-likewise', 'data-title');

describe('optionsFromAttributes: business rules from markup', () => {
  it('reads category lists, prices, exclusions, the per-category cap and in-stock into rules', () => {
    expect(
      read({
        'data-likewise': 'similar',
        'data-item-id': 'sku-1',
        'data-category': 'Fantasy, Science Fiction',
        'data-min-price': '5',
        'data-max-price': '29.90',
        'data-exclude': 'sku-7, sku-9 sku-11',
        'data-max-per-category': '2',
        'data-in-stock': '',
      }),
    ).toEqual({
      type: 'similar',
      itemId: 'sku-1',
      rules: {
        category: ['Fantasy', 'Science Fiction'],
        minPrice: 5,
        maxPrice: 29.9,
        exclude: ['sku-7', 'sku-9', 'sku-11'],
        maxPerCategory: 2,
        inStock: true,
      },
    });
  });

  it('has no rules without rule attributes, and passes bad numbers on for recommend() to refuse', () => {
    expect(read({ 'data-likewise': 'trending' })).toEqual({ type: 'trending' });
    expect(
      read({ 'data-likewise': 'trending', 'data-max-price': 'cheap' }).rules?.maxPrice,
    ).toBeNaN();
    expect(read({ 'data-likewise': 'trending', 'data-in-stock': 'false' }).rules).toEqual({
      inStock: undefined,
    });
  });
});
