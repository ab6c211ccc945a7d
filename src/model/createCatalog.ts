/**
 * The shop's catalogue as the SDK sees it, from one of four sources:
 * an array of entries or the URL of a JSON array (small shops: loaded
 * whole), the catalogue shards beside the model (`likewise train
 * --catalog`: only the shards of the items a page shows), a URL template
 * (`/api/products?ids={ids}`) or a function from ids to entries (a product
 * API, asked in batches). Items found in the page's JSON-LD join it.
 * Catalogue data is untrusted: an entry whose id, title or link is unusable
 * is dropped (one `INVALID_INPUT` report per file or answer), never
 * rendered.
 */
import type { RecommendRules, ScoredItem } from '../engine/recommend';
import type { LikewiseError } from '../errors';
import type { CatalogItem } from '../types';
import { cleanItem } from './cleanItem';
import { createCatalogPart } from './createCatalogPart';

export { cleanItem };

/**
 * A product API in the npm API: the entries of `ids` (ids it does not know
 * are left out). Called with at most 50 ids at a time, each id once.
 */
export type CatalogLookup = (ids: string[]) => Promise<readonly unknown[]> | readonly unknown[];

/** Where a catalogue comes from; see {@link createCatalog}. */
export type CatalogSource = string | readonly unknown[] | CatalogLookup;

/** Scores candidates under the given rules (a scenario of the engine). */
export type ScoreCandidates = (rules: RecommendRules) => ScoredItem[];

/** What {@link createCatalog} returns. */
export interface Catalog {
  /**
   * Every entry of a whole catalogue (an array or the URL of one), once
   * loaded and checked (the entries no page asked for yet are checked in
   * idle moments); for shards and lookups, the entries loaded so far (and
   * their part and manifest start loading). Never rejects.
   */
  load(): Promise<ReadonlyMap<string, CatalogItem>>;
  /**
   * Loads the entries of `ids` (a whole catalogue: loads it, and checks
   * those entries) and resolves to every entry known so far. Never rejects.
   */
  entries(ids: readonly string[]): Promise<ReadonlyMap<string, CatalogItem>>;
  /**
   * Scores with the catalogue's entries as `rules.catalog`: a whole
   * catalogue once loaded, each entry checked when scoring first reads it;
   * one served by id ranks the candidates first, then
   * loads the entries of the best and scores again (more only when too few
   * pass the rules), and with `reasons` those of the items their reasons
   * name (a widget that shows "because you viewed X" needs X's title).
   * Resolves to the entries and the scored items.
   */
  rank(
    score: ScoreCandidates,
    rules: RecommendRules,
    reasons?: boolean,
  ): Promise<[ReadonlyMap<string, CatalogItem>, ScoredItem[]]>;
  /** Adds or completes an entry (e.g. from JSON-LD); invalid entries are ignored. */
  add(item: unknown): void;
  /** The entry, if loaded and checked (a whole catalogue's: once a rank, `entries` or `load` asked for it). */
  get(id: string): CatalogItem | undefined;
}

/** What the catalogue part (`createCatalogPart`) shares with the page's catalogue. */
export interface CatalogCore {
  /** The entries known, by id: the shop's and the page's. */
  items: Map<string, CatalogItem>;
  report(e: LikewiseError): void;
  deps: CatalogDeps;
}

/** What the catalogue part does: loading and ranking (see {@link Catalog}). */
export type CatalogPart = Pick<Catalog, 'load' | 'entries' | 'rank'>;

/** Injected dependencies and context of {@link createCatalog}. */
export interface CatalogDeps {
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Base URL for relative links and URLs. Default `location.href`. */
  base?: string;
  /** Absolute URL of the model manifest: its catalogue shards serve when there is no `source`. */
  model?: string;
  /**
   * The model's manifest as the model loader read it, so the page fetches
   * it once. Default: fetched from `model`.
   */
  manifest?: () => Promise<unknown> | undefined;
}

/**
 * Creates the catalogue of one instance: nothing is fetched before the
 * first `load()`, `entries()` or `rank()` (see `createCatalogPart`); a
 * failed fetch is reported and leaves the catalogue with what it had (the
 * page's JSON-LD at least).
 *
 * @param source - An array of entries, the URL of a JSON array, a URL
 *   template with `{ids}` (replaced by the comma-joined, URL-encoded ids;
 *   it must answer a JSON array of entries), or a {@link CatalogLookup}.
 *   None: the shards of the model's catalogue, when `deps.model` has one.
 * @param report - Receives load failures and the count of dropped entries.
 * @param deps - See {@link CatalogDeps}.
 * @example const catalog = createCatalog('/api/products?ids={ids}', console.warn)
 */
export function createCatalog(
  source: CatalogSource | undefined,
  report: (e: LikewiseError) => void,
  deps: CatalogDeps = {},
): Catalog {
  const items = new Map<string, CatalogItem>();
  return {
    ...createCatalogPart(source, { items, report, deps }),
    add(raw) {
      const item = cleanItem(raw, deps.base);
      // Page data completes an entry but never overrides the shop's catalogue.
      if (item) items.set(item.id, { ...item, ...items.get(item.id) });
    },
    get: (id) => items.get(id),
  };
}
