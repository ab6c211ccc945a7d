/**
 * The check every catalogue entry passes before the SDK keeps it: entries
 * are untrusted data (a shop's feed, its API, JSON-LD on the page).
 */

import { safeUrl } from '../shared/safeUrl';
import { isAmount, isCurrency, isText } from '../track/validateEvent';
import type { CatalogItem } from '../types';

type Check = (v: unknown, base?: string) => unknown;
const text =
  (max: number): Check =>
  (v) =>
    isText(v, max) ? v : undefined;
/** Each field's check, in the order of the entry: the clean value, or `undefined` to drop it. */
const FIELDS: Record<string, Check> = {
  id: text(256),
  title: text(512),
  url: safeUrl,
  image: safeUrl,
  price: (v) => (isAmount(v) ? v : undefined),
  currency: (v) => (isCurrency(v) ? v.toUpperCase() : undefined),
  category: text(256),
  brand: text(256),
  inStock: (v) => (typeof v === 'boolean' ? v : undefined),
};

/** The fields an entry keeps, in order (the catalogue shards' columns). */
export const ITEM_FIELDS: readonly string[] = Object.keys(FIELDS);

/**
 * Checks one untrusted catalogue entry: `id` (1 to 256 characters), `title`
 * (at most 512) and `url` (http, https or relative) are required; `image`
 * is dropped unless it is a safe URL; `price` must be finite and >= 0;
 * `currency` a 3-letter code; other fields are dropped. An entry whose
 * fields cannot be read (a throwing getter) is dropped too.
 *
 * @returns the clean entry, or `undefined` when it cannot be shown.
 */
export function cleanItem(raw: unknown, base?: string): CatalogItem | undefined {
  const item: Record<string, unknown> = {};
  try {
    // The known fields only: a page may have added enumerable properties to
    // Object.prototype. A primitive has none of them (and null throws): dropped.
    for (const k of ITEM_FIELDS) {
      const v = FIELDS[k]((raw as Record<string, unknown>)[k], base);
      if (v !== undefined) item[k] = v;
    }
  } catch {
    // A getter or a proxy that throws, or null: an entry that cannot be read is dropped.
    return undefined;
  }
  return item.id && item.title && item.url ? (item as unknown as CatalogItem) : undefined;
}
