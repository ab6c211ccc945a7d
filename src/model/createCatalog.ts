/**
 * The shop's catalogue as the SDK sees it: entries from `options.catalog`
 * (an array or a URL of a JSON array) plus items found in the page's
 * JSON-LD. Catalogue data is untrusted: an entry whose id, title or link is
 * unusable is dropped (one `INVALID_INPUT` report per load), never rendered.
 */
import { LikewiseError } from '../errors';
import { isAmount, isCurrency, isText } from '../track/validateEvent';
import type { CatalogItem } from '../types';
import { safeUrl } from '../widgets/safeUrl';

/** What {@link createCatalog} returns. */
export interface Catalog {
  /** The loaded entries by id; resolves once the URL (if any) is loaded. Never rejects. */
  load(): Promise<ReadonlyMap<string, CatalogItem>>;
  /** Adds or completes an entry (e.g. from JSON-LD); invalid entries are ignored. */
  add(item: unknown): void;
  /** The entry, if loaded. */
  get(id: string): CatalogItem | undefined;
}

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
  if (typeof raw !== 'object' || raw === null) return undefined;
  const item: Record<string, unknown> = {};
  try {
    // Own keys only: a page may have added enumerable properties to Object.prototype.
    for (const k of Object.keys(FIELDS)) {
      const v = FIELDS[k]((raw as Record<string, unknown>)[k], base);
      if (v !== undefined) item[k] = v;
    }
  } catch {
    // A getter or a proxy that throws: an entry that cannot be read is dropped.
    return undefined;
  }
  return item.id && item.title && item.url ? (item as unknown as CatalogItem) : undefined;
}

/**
 * Creates the catalogue of one instance. A URL is fetched on the first
 * `load()`, once; a failed or invalid fetch is reported and leaves the
 * catalogue with what the page itself declared.
 *
 * @param source - an array of entries, or the URL of a JSON array of them.
 * @param report - receives load failures and the count of dropped entries.
 * @param deps - `fetch` and the base URL for relative links (tests).
 * @example const catalog = createCatalog('/catalog.json', console.warn)
 */
export function createCatalog(
  source: string | readonly unknown[] | undefined,
  report: (e: LikewiseError) => void,
  deps: { fetch?: typeof fetch; base?: string } = {},
): Catalog {
  const items = new Map<string, CatalogItem>();
  let loading: Promise<ReadonlyMap<string, CatalogItem>> | undefined;

  const addAll = (list: unknown, from: string) => {
    if (!Array.isArray(list)) {
      report(new LikewiseError('INVALID_INPUT', `Catalog ${from} is not a JSON array.`));
      return;
    }
    let dropped = 0;
    for (const raw of list) {
      const item = cleanItem(raw, deps.base);
      if (item) items.set(item.id, { ...items.get(item.id), ...item });
      else dropped++;
    }
    if (dropped)
      report(
        new LikewiseError(
          'INVALID_INPUT',
          `Catalog ${from}: dropped ${dropped} entries without a valid id, title or http(s) url.`,
        ),
      );
  };

  return {
    load() {
      loading ??= (async () => {
        if (typeof source === 'string') {
          try {
            const response = await (deps.fetch ?? fetch)(source);
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            addAll(await response.json(), source);
          } catch (e) {
            report(
              new LikewiseError(
                'NETWORK',
                `Cannot load catalog ${source}: ${(e as Error).message}`,
                e,
              ),
            );
          }
        } else if (source) addAll(source, 'option');
        return items;
      })();
      return loading;
    },
    add(raw) {
      const item = cleanItem(raw, deps.base);
      // Page data completes an entry but never overrides the shop's catalogue.
      if (item) items.set(item.id, { ...item, ...items.get(item.id) });
    },
    get: (id) => items.get(id),
  };
}
