/** A catalogue entry for the catalogue format tests: every field, id `sku-<i>`. */
export const entry = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `sku-${i}`,
  title: `Item ${i}`,
  url: `https://shop.test/p/sku-${i}`,
  image: `https://cdn.shop.test/img/sku-${i}.jpg`,
  price: 10 + i / 4,
  currency: 'EUR',
  category: i % 2 ? 'Books' : 'Games',
  ...extra,
});
