/**
 * The shop's catalogue as the SDK sees it: entries from `options.catalog`
 * (an array or a URL of a JSON array) plus items found in the page's
 * JSON-LD. Catalogue data is untrusted: an entry whose id, title or link is
 * unusable is dropped (one `INVALID_INPUT` report per load), never rendered.
 */
import { LikewiseError } from '../errors';
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

const str = (v: unknown, max: number) =>
  typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;

/**
 * Checks one untrusted catalogue entry: `id` (1 to 256 characters), `title`
 * (at most 512) and `url` (http, https or relative) are required; `image`
 * is dropped unless it is a safe URL; `price` must be finite and >= 0;
 * `currency` a 3-letter code; other fields are dropped.
 *
 * @returns the clean entry, or `undefined` when it cannot be shown.
 */
export function cleanItem(raw: unknown, base?: string): CatalogItem | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const r = raw as Record<string, unknown>;
  const id = str(r.id, 256);
  const title = str(r.title, 512);
  const url = safeUrl(r.url, base);
  if (!id || !title || !url) return undefined;
  const item: CatalogItem = { id, title, url };
  const image = safeUrl(r.image, base);
  if (image) item.image = image;
  if (typeof r.price === 'number' && r.price >= 0 && r.price < Infinity) item.price = r.price;
  if (typeof r.currency === 'string' && /^[A-Za-z]{3}$/.test(r.currency))
    item.currency = r.currency.toUpperCase();
  const category = str(r.category, 256);
  if (category) item.category = category;
  const brand = str(r.brand, 256);
  if (brand) item.brand = brand;
  if (typeof r.inStock === 'boolean') item.inStock = r.inStock;
  return item;
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
