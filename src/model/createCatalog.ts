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
import { LikewiseError } from '../errors';
import { nextTask } from '../nextTask';
import type { CatalogItem } from '../types';
import { cleanItem } from './cleanItem';
import { decodeCatalogShard, type ManifestCatalog, validateCatalogSection } from './encodeCatalog';
import { shardOf, validateManifest } from './encodeModel';

export { cleanItem };

/**
 * A product API in the npm API: the entries of `ids` (ids it does not know
 * are left out). Called with at most 50 ids at a time, each id once.
 */
export type CatalogLookup = (ids: string[]) => Promise<readonly unknown[]> | readonly unknown[];

/** Where a catalogue comes from; see {@link createCatalog}. */
export type CatalogSource = string | readonly unknown[] | CatalogLookup;

/** What {@link createCatalog} returns. */
export interface Catalog {
  /**
   * Every entry of a whole catalogue (an array or the URL of one), once
   * loaded; for shards and lookups, the entries loaded so far. Never rejects.
   */
  load(): Promise<ReadonlyMap<string, CatalogItem>>;
  /**
   * Loads the entries of `ids` where they come by id (shards, lookups) and
   * resolves to every entry known so far. Never rejects.
   */
  entries(ids: readonly string[]): Promise<ReadonlyMap<string, CatalogItem>>;
  /** True when `load()` gives every entry there is (an array, a URL of one, or none). */
  readonly whole: boolean;
  /** Adds or completes an entry (e.g. from JSON-LD); invalid entries are ignored. */
  add(item: unknown): void;
  /** The entry, if loaded. */
  get(id: string): CatalogItem | undefined;
}

/** Injected dependencies and context of {@link createCatalog}. */
export interface CatalogDeps {
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Base URL for relative links and URLs. Default `location.href`. */
  base?: string;
  /** Absolute URL of the model manifest: its catalogue shards serve when there is no `source`. */
  model?: string;
}

/** Ids per lookup request, at most. */
const BATCH = 50;
/** A lookup URL stays under this length (older proxies refuse longer ones). */
const MAX_URL = 2000;
/** Entries checked per task when a whole catalogue is loaded. */
const SLICE = 2000;

const isLookupTemplate = (s: unknown): s is string => typeof s === 'string' && s.includes('{ids}');

/**
 * Creates the catalogue of one instance. Nothing is fetched until a method
 * is called; a failed fetch is reported and leaves the catalogue with what
 * it had (the page's JSON-LD at least), and is tried again on a later call.
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
  /** Ids the shop's own data answered for (page data never overrides them). */
  const fromShop = new Set<string>();
  const doFetch = (url: string) => (deps.fetch ?? fetch)(url);
  const resolveUrl = (url: string) => {
    try {
      return new URL(url, deps.base ?? globalThis.location?.href).href;
    } catch {
      return url;
    }
  };

  /** Checks and keeps entries from the shop: they override page data. */
  const keep = (list: readonly unknown[], start = 0, end = list.length) => {
    let dropped = 0;
    for (let i = start; i < end; i++) {
      const item = cleanItem(list[i], deps.base);
      if (!item) {
        dropped++;
        continue;
      }
      items.set(item.id, { ...items.get(item.id), ...item });
      fromShop.add(item.id);
    }
    return dropped;
  };
  const reportDropped = (dropped: number, from: string) => {
    if (dropped)
      report(
        new LikewiseError(
          'INVALID_INPUT',
          `Catalog ${from}: dropped ${dropped} entries without a valid id, title or http(s) url.`,
        ),
      );
  };
  const notArray = (from: string) =>
    report(new LikewiseError('INVALID_INPUT', `Catalog ${from} is not a JSON array.`));
  const network = (what: string, e: unknown) =>
    report(
      new LikewiseError('NETWORK', `Cannot load catalog ${what}: ${(e as Error)?.message}`, e),
    );
  const json = async (url: string): Promise<unknown> => {
    const response = await doFetch(url);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response.json();
  };

  /** A whole catalogue, checked in slices so no task runs long. */
  const addAll = async (list: unknown, from: string) => {
    if (!Array.isArray(list)) return notArray(from);
    let dropped = 0;
    for (let i = 0; i < list.length; i += SLICE) {
      if (i) await nextTask();
      dropped += keep(list, i, Math.min(list.length, i + SLICE));
    }
    reportDropped(dropped, from);
  };

  let loading: Promise<ReadonlyMap<string, CatalogItem>> | undefined;
  const whole =
    typeof source !== 'function' && !isLookupTemplate(source) && !!(source || !deps.model);
  let byIds: ((ids: readonly string[]) => Promise<void>) | undefined;
  let warm: (() => Promise<unknown>) | undefined;

  if (!whole && source) {
    // A product API: ids asked in one batch per task, each at most once
    // while it answers; ids it did not know are not asked again.
    const template = typeof source === 'string' ? source : undefined;
    const ask = async (ids: string[]): Promise<unknown> =>
      template === undefined
        ? (source as CatalogLookup)(ids)
        : json(resolveUrl(template.replace('{ids}', ids.map(encodeURIComponent).join(','))));
    const what = template ?? 'lookup';
    const missing = new Set<string>();
    const asking = new Map<string, Promise<void>>();
    let queue: string[] = [];
    /** One request per batch of the ids queued in this task. */
    const flush = () => {
      const batches: string[][] = [];
      let batch: string[] = [];
      let length = 0;
      for (const id of queue) {
        const part = template === undefined ? 0 : encodeURIComponent(id).length + 1;
        if (batch.length >= BATCH || (batch.length && length + part > MAX_URL)) {
          batches.push(batch);
          batch = [];
          length = 0;
        }
        batch.push(id);
        length += part;
      }
      if (batch.length) batches.push(batch);
      queue = [];
      return Promise.all(
        batches.map(async (ids) => {
          try {
            const list = await ask(ids);
            if (!Array.isArray(list)) return notArray(what);
            reportDropped(keep(list), what);
            for (const id of ids) if (!fromShop.has(id)) missing.add(id);
          } catch (e) {
            // Not kept as missing: asked again next time.
            network(what, e);
          } finally {
            for (const id of ids) asking.delete(id);
          }
        }),
      ).then(() => undefined);
    };
    let round: Promise<void> | undefined;
    byIds = (ids) => {
      const waits = new Set<Promise<void>>();
      for (const id of ids) {
        if (fromShop.has(id) || missing.has(id)) continue;
        let p = asking.get(id);
        if (!p) {
          round ??= Promise.resolve().then(() => {
            round = undefined;
            return flush();
          });
          queue.push(id);
          p = round;
          asking.set(id, p);
        }
        waits.add(p);
      }
      return Promise.all(waits).then(() => undefined);
    };
  } else if (!whole && deps.model) {
    // The model's shards: each fetched once, when an id in it is asked for.
    const model = deps.model;
    let section: Promise<ManifestCatalog | undefined> | undefined;
    const shards = new Map<number, Promise<void>>();
    const manifest = () => {
      section ??= json(model)
        .then((value) => {
          const m = validateManifest(value, model) as { catalog?: unknown };
          return m.catalog === undefined ? undefined : validateCatalogSection(m.catalog, model);
        })
        .catch((e: unknown) => {
          // The model path reports a manifest it cannot use; here it is tried again next time.
          section = undefined;
          if ((e as LikewiseError)?.code === 'INVALID_MODEL') report(e as LikewiseError);
          return undefined;
        });
      return section;
    };
    warm = manifest;
    const shard = (c: ManifestCatalog, s: number) => {
      let p = shards.get(s);
      if (!p) {
        const url = resolveUrl(new URL(`${c.dir}${s}.json`, model).href);
        p = (async () => {
          let bytes: Uint8Array;
          try {
            const response = await doFetch(url);
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            bytes = new Uint8Array(await response.arrayBuffer());
          } catch (e) {
            shards.delete(s);
            report(new LikewiseError('MODEL_FETCH', `Cannot fetch catalog file ${url}.`, e));
            return;
          }
          try {
            reportDropped(keep(decodeCatalogShard(bytes, c, s, url)), url);
          } catch (e) {
            report(e as LikewiseError);
          }
        })();
        shards.set(s, p);
      }
      return p;
    };
    byIds = async (ids) => {
      const c = await manifest();
      if (!c) return;
      const wanted = new Set<number>();
      for (const id of ids) if (!fromShop.has(id)) wanted.add(shardOf(id, c.shards));
      await Promise.all([...wanted].map((s) => shard(c, s)));
    };
  }

  const catalog: Catalog = {
    whole,
    load() {
      if (!whole) return (warm?.() ?? Promise.resolve()).then(() => items);
      loading ??= (async () => {
        if (typeof source === 'string') {
          try {
            await addAll(await json(source), source);
          } catch (e) {
            network(source, e);
          }
        } else if (source) await addAll(source, 'option');
        return items;
      })();
      return loading;
    },
    async entries(ids) {
      if (!byIds) return catalog.load();
      await byIds(ids);
      return items;
    },
    add(raw) {
      const item = cleanItem(raw, deps.base);
      // Page data completes an entry but never overrides the shop's catalogue.
      if (item) items.set(item.id, { ...item, ...items.get(item.id) });
    },
    get: (id) => items.get(id),
  };
  return catalog;
}
