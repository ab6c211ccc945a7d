import { type CatalogSource, catalogLookup, type Profile } from './computeProfile';
import type { QueryAffinities } from './queryAffinities';

/** Options of {@link rerank}. */
export interface RerankOptions {
  /** Weight of the item's category share in the profile. Default 1. */
  categoryWeight?: number;
  /** Weight of the item's brand share in the profile. Default 0.5. */
  brandWeight?: number;
  /** Bonus when the item's price lies within the visitor's min..max viewed price. Default 0.2. */
  priceWeight?: number;
  /**
   * What the current search query led this visitor to before (`queryAffinities`):
   * adds `queryWeight x (share(category) + brandWeight x share(brand))`.
   */
  query?: QueryAffinities;
  /** Weight of the query's affinities. Default 2: for a search, what it led to before beats the general profile. */
  queryWeight?: number;
}

/**
 * Reorders a shop's own list (search results, a category page) by the
 * visitor's affinities. Each item scores
 * `categoryWeight x share(category) + brandWeight x share(brand) + priceWeight x [price within the visitor's range]`,
 * where shares come from the profile's top lists (0 when absent). Items sort
 * by score, highest first; equal scores keep their original order (so with
 * an empty profile the list is unchanged). Never drops, adds or dedupes
 * items: the result is a permutation of the input. Pure.
 *
 * @param itemIds - The shop's order.
 * @param profile - From `computeProfile`.
 * @param catalog - Lookup for categories, brands and prices; unknown ids score 0.
 * @param options - See {@link RerankOptions}.
 * @returns A new array.
 * @example
 * const order = rerank(['a', 'b', 'c'], profile, catalogMap); // ['c', 'a', 'b']
 */
export function rerank(
  itemIds: readonly string[],
  profile: Profile,
  catalog: CatalogSource,
  options: RerankOptions = {},
): string[] {
  const { get } = catalogLookup(catalog);
  const cw = options.categoryWeight ?? 1;
  const bw = options.brandWeight ?? 0.5;
  const pw = options.priceWeight ?? 0.2;
  const cats = new Map(profile.categories.map((a) => [a.value, a.score]));
  const brands = new Map(profile.brands.map((a) => [a.value, a.score]));
  const range = profile.price;
  const scored = itemIds.map((id, index) => {
    const item = get(id);
    let score = 0;
    if (item) {
      if (item.category) score += cw * (cats.get(item.category) ?? 0);
      if (item.brand) score += bw * (brands.get(item.brand) ?? 0);
      const q = options.query;
      if (q)
        score +=
          (options.queryWeight ?? 2) *
          ((q.categories.get(item.category as string) ?? 0) +
            bw * (q.brands.get(item.brand as string) ?? 0));
      if (
        range &&
        typeof item.price === 'number' &&
        item.price >= range.min &&
        item.price <= range.max
      ) {
        score += pw;
      }
    }
    return { id, index, score };
  });
  scored.sort((a, b) => b.score - a.score || a.index - b.index);
  return scored.map((s) => s.id);
}
