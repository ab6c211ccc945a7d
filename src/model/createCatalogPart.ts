/**
 * How a catalogue loads, an on-demand part of the SDK (in `likewise.widgets.mjs`
 * beside the script-tag build, loaded by pages that recommend, never by a
 * cart or checkout page without widgets): a whole catalogue (an array or the
 * URL of one, for small shops), the model's catalogue shards, fetched for
 * the items a page shows, or a product API (a URL template or a function)
 * asked in batches. Entries are untrusted and checked (`cleanItem`).
 */
import type { RecommendRules, ScoredItem } from '../engine/recommend';
import { LikewiseError } from '../errors';
import type { ManifestCatalog } from './catalogFormat';
import { cleanItem } from './cleanItem';
import type { CatalogCore, CatalogLookup, CatalogPart, CatalogSource } from './createCatalog';
import { decodeCatalogShard, validateCatalogSection } from './decodeCatalog';
import { fetchBytes } from './fetchBytes';
import { shardOf } from './shardOf';

/** Entries of a whole catalogue checked per idle task, when every entry is asked for. */
const SLICE = 200;
/** The longest wait for an idle moment, in ms. */
const IDLE_WAIT = 200;
/** Ids per lookup request, at most. */
const BATCH = 50;
/** A lookup URL stays under this length (older proxies refuse longer ones). */
const MAX_URL = 2000;
/** Candidates ranked before their entries are asked for (the most a request returns). */
const CANDIDATES = 50;
/** Entries asked for beyond the limit at first, for the few the rules turn away. */
export const SPARE = 4;
/** The rules that read catalogue entries. */
const ENTRY_RULES = [
  'category',
  'minPrice',
  'maxPrice',
  'filter',
  'boost',
  'maxPerCategory',
] as const;
/** The rules without those, for ranking candidates before their entries are known. */
const WITHOUT_ENTRIES = Object.fromEntries(ENTRY_RULES.map((k) => [k, undefined]));

/** Loads the entries of `ids` (none: starts what any id needs). Never rejects. */
type Load = (ids?: readonly string[]) => Promise<void>;

/** What the loaders share: checks, counts and fetches. */
interface Sink extends CatalogCore {
  /** Ids the shop's own data answered for (page data never overrides them). */
  fromShop: Set<string>;
  /**
   * Checks and keeps the shop's entries from `from`, reporting a list that
   * is none, and the count dropped.
   */
  keep(list: unknown, from: string): void;
  /** Fetches JSON (rejects on an HTTP error). */
  json(url: string): Promise<unknown>;
  /** Reports that the catalogue `from` could not load. */
  failed(from: string, e: unknown): void;
}

function tools(core: CatalogCore): Sink {
  const { items, deps, report } = core;
  const fromShop = new Set<string>();
  return {
    ...core,
    fromShop,
    keep(list, from) {
      if (!Array.isArray(list))
        return report(new LikewiseError('INVALID_INPUT', `Catalog ${from} is not a JSON array.`));
      let n = 0;
      for (const raw of list) {
        const item = cleanItem(raw, deps.base);
        if (!item) n++;
        else {
          items.set(item.id, { ...items.get(item.id), ...item });
          fromShop.add(item.id);
        }
      }
      if (n)
        report(
          new LikewiseError(
            'INVALID_INPUT',
            `Catalog ${from}: dropped ${n} entries without a valid id, title or http(s) url.`,
          ),
        );
    },
    async json(url) {
      const response = await (deps.fetch ?? fetch)(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return response.json();
    },
    failed(from, e) {
      report(
        new LikewiseError('NETWORK', `Cannot load catalog ${from}: ${(e as Error)?.message}`, e),
      );
    },
  };
}

/** The model's catalogue shards: each fetched once, when an id in it is asked for. */
function byShards(core: Sink, model: string): Load {
  const { fromShop } = core;
  let section: Promise<ManifestCatalog | undefined> | undefined;
  const shards = new Map<number, Promise<void>>();
  const forget = (): undefined => {
    section = undefined;
  };
  const manifest = () => {
    // The model path reports a manifest it cannot fetch or read (the page
    // reads it once for both); here it is tried again next time.
    section ??= (core.deps.manifest?.() ?? core.json(model)).then((value) => {
      const c = (value as { catalog?: unknown } | null)?.catalog;
      try {
        return c === undefined ? undefined : validateCatalogSection(c, model);
      } catch (e) {
        forget();
        core.report(e as LikewiseError);
      }
    }, forget);
    return section;
  };
  const shard = (c: ManifestCatalog, s: number) => {
    let p = shards.get(s);
    if (!p) {
      const url = new URL(`${c.dir}${s}.json`, model).href;
      // A file that cannot be fetched is asked again next time; a broken one is not.
      p = fetchBytes(url, 'catalog', core.deps.fetch)
        .then(
          (bytes) => core.keep(decodeCatalogShard(bytes, c, s, url), url),
          (e) => {
            shards.delete(s);
            throw e;
          },
        )
        .catch(core.report);
      shards.set(s, p);
    }
    return p;
  };
  return async (ids) => {
    const c = await manifest();
    if (!c || !ids) return;
    const wanted = new Set<number>();
    for (const id of ids) if (!fromShop.has(id)) wanted.add(shardOf(id, c.shards));
    await Promise.all([...wanted].map((s) => shard(c, s)));
  };
}

/**
 * A product API: the ids asked for in one task go out together, in
 * batches; each id is asked at most once while it answers, and an id it did
 * not know is not asked again.
 */
function byLookup(core: Sink, source: string | CatalogLookup): Load {
  const { fromShop } = core;
  const template = typeof source === 'string' ? source : undefined;
  const ask = async (ids: string[]): Promise<unknown> =>
    template === undefined
      ? (source as CatalogLookup)(ids)
      : core.json(
          new URL(
            template.replace('{ids}', ids.map(encodeURIComponent).join(',')),
            core.deps.base ?? globalThis.location?.href,
          ).href,
        );
  const what = template ?? 'lookup';
  const missing = new Set<string>();
  const asking = new Map<string, Promise<unknown>>();
  let queue: string[] = [];
  let round: Promise<unknown> | undefined;
  const flush = () => {
    round = undefined;
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
          core.keep(await ask(ids), what);
          for (const id of ids) if (!fromShop.has(id)) missing.add(id);
        } catch (e) {
          // Not kept as missing: asked again next time.
          core.failed(what, e);
        } finally {
          for (const id of ids) asking.delete(id);
        }
      }),
    );
  };
  return async (ids) => {
    const waits = new Set<Promise<unknown>>();
    for (const id of ids ?? []) {
      if (fromShop.has(id) || missing.has(id)) continue;
      let p = asking.get(id);
      if (!p) {
        round ??= Promise.resolve().then(flush);
        queue.push(id);
        p = round;
        asking.set(id, p);
      }
      waits.add(p);
    }
    await Promise.all(waits);
  };
}

/**
 * A whole catalogue (an array, or the URL of one), fetched once: its
 * entries wait in `unchecked`, by the id they claim (duplicates in order,
 * merged as they come), and each is checked when first asked for.
 */
function byWhole(
  core: Sink,
  source: string | readonly unknown[] | undefined,
  unchecked: Map<unknown, unknown[]>,
): Load {
  const from = typeof source === 'string' ? source : 'option';
  let loaded: Promise<unknown> | undefined;
  return async (ids = []) => {
    loaded ??= (async () => {
      if (!source) return;
      try {
        const list = typeof source === 'string' ? await core.json(source) : source;
        if (!Array.isArray(list)) return core.keep(list, from);
        for (const raw of list) {
          let id: unknown;
          try {
            id = (raw as { id?: unknown } | null)?.id;
          } catch {
            // A throwing getter: the entry is checked (and dropped) with the rest.
          }
          unchecked.get(id)?.push(raw) ?? unchecked.set(id, [raw]);
        }
      } catch (e) {
        core.failed(from, e);
      }
    })();
    await loaded;
    // Taken out of the map, so each is checked once and a later load() has
    // only the ids never asked for left to check.
    core.keep(
      ids.flatMap((id) => {
        const raws = unchecked.get(id) ?? [];
        unchecked.delete(id);
        return raws;
      }),
      from,
    );
  };
}

/**
 * Creates the loading part of a catalogue (see `createCatalog`): a whole
 * catalogue (an array, or the URL of one), a product API (a URL template
 * or a function), or the shards of the model at `core.deps.model`.
 *
 * A whole catalogue's entries are checked when first asked for (`rank`,
 * `entries`), so a page waits for the check of the few it shows, not of
 * every entry; `load()` checks the rest in idle moments.
 *
 * @param source - The catalogue option; none: the model's shards.
 * @param core - The page catalogue's entries, report and dependencies.
 * @example const part = createCatalogPart('/catalog.json', { items, report, deps })
 */
export function createCatalogPart(
  source: CatalogSource | undefined,
  core: CatalogCore,
): CatalogPart {
  const { items, deps } = core;
  const sink = tools(core);
  /** A whole catalogue's entries not checked yet, by the id they claim. */
  const unchecked = new Map<unknown, unknown[]>();
  const load: Load =
    typeof source === 'function' || (typeof source === 'string' && source.includes('{ids}'))
      ? byLookup(sink, source)
      : source || !deps.model
        ? byWhole(sink, source, unchecked)
        : byShards(sink, deps.model);
  const part: CatalogPart = {
    async load() {
      await load();
      // The rest, a slice per idle moment: whoever asks for every entry (a
      // profile) never holds up a widget's first paint, nor runs a long task.
      for (const ids = [...unchecked.keys()] as string[]; ids.length; ) {
        // At most IDLE_WAIT ms for an idle moment: a page that is never idle
        // (a busy loop, an animation) still gets its profile.
        // (Without requestIdleCallback, setTimeout reads the options as a delay of 0.)
        await new Promise((resolve) =>
          (globalThis.requestIdleCallback ?? setTimeout)(resolve, { timeout: IDLE_WAIT } as never),
        );
        await load(ids.splice(0, SLICE));
      }
      return items;
    },
    entries: (ids) => load(ids).then(() => items),
    // Every source ranks the candidates first and loads (a whole catalogue:
    // checks) the entries of the best only.
    async rank(score, rules, reasons) {
      const limit = rules.limit ?? 8;
      // The candidates in order, ranked without their entries.
      const loose = score({ ...rules, ...WITHOUT_ENTRIES, limit: CANDIDATES });
      const reads = ENTRY_RULES.some((k) => rules[k] !== undefined);
      let n = reads ? loose.length : limit + SPARE;
      for (;;) {
        const ids: string[] = [];
        for (const s of loose.slice(0, n)) {
          ids.push(s.id);
          // The item a reason names ("because you viewed X") is shown by
          // title only, and only by a widget that shows reasons: an entry
          // the page gave (JSON-LD) will do, with no request.
          const named = reasons && s.reason.itemId;
          if (named && !items.has(named)) ids.push(named);
        }
        await load(ids);
        const scored: ScoredItem[] = score({ ...rules, catalog: items } as RecommendRules);
        if (scored.length >= limit || n >= loose.length) return [items, scored];
        n += limit + SPARE;
      }
    },
  };
  return part;
}
