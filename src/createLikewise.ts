import { isLikewiseError, LikewiseError } from './errors';
import type * as Extras from './extras';
import type { ExperimentOptions } from './metrics/assignGroup';
import type { Profile } from './metrics/computeProfile';
import type { Report } from './metrics/computeReport';
import type * as Measure from './metrics/startMetrics';
import type { Metrics } from './metrics/startMetrics';
import { baseOf } from './model/baseOf';
import { checkRequest, type RecommendRequest } from './model/checkRequest';
import type { CatalogDeps, CatalogLookup } from './model/createCatalog';
import type { Manifest } from './model/modelFormat';
import { shardOf } from './model/shardOf';
import type * as Learn from './model/trainLocally';
import { safeUrl } from './shared/safeUrl';
import type * as Widgets from './startWidgets';
import type { WidgetPart } from './startWidgets';
import { createEventStore } from './store/createEventStore';
import { createStateStore } from './store/createStateStore';
import { deleteSiteData } from './store/deleteSiteData';
import type { EventStore, StateStore, StorageMode } from './store/types';
import { type AutoTrackOptions, autoTrack, pageItemId } from './track/autoTrack';
import { DEFAULT_SESSION_TIMEOUT, randomId } from './track/createSession';
import {
  CONSENTS,
  type ConsentState,
  createTracker,
  type TrackerOptions,
} from './track/createTracker';
import { show } from './track/validateEvent';
import type {
  CatalogItem,
  ItemAggregate,
  LikewiseEvent,
  Recommendation,
  Scenario,
  TrackInput,
} from './types';
import { checkRender } from './widgets/checkRender';
import { defineLikewiseElement } from './widgets/defineElement';
import { observeContainers } from './widgets/observeContainers';
import { onPrivacyLink } from './widgets/onPrivacyLink';
import type { RenderOptions } from './widgets/render';

/**
 * The parts of likewise that load on demand, by name: `widgets` (catalogue,
 * model reader, scoring, renderer), `learn` (on-device learning), `measure`
 * (measurement and the collector outbox) and `extras` (report, profile,
 * rerank, identify, the privacy panel, targeted content). The script-tag
 * build loads `likewise.<name>.mjs` beside itself; the npm build imports
 * chunks the shop's bundler splits off.
 */
export interface LikewiseParts {
  widgets: typeof Widgets;
  learn: typeof Learn;
  measure: typeof Measure;
  extras: typeof Extras;
}

export type { ConsentState } from './track/createTracker';

/** Options of {@link createLikewise}. */
export interface LikewiseOptions {
  /** Site id: 1 to 64 characters of `A-Z a-z 0-9 _ -`. Names the site's databases (`likewise-<site>...`). */
  site: string;
  /**
   * Storage consent; default `'granted'`. Pass what the consent manager says on
   * every page: the SDK records a grant (state key `consent`) but never reads
   * it back before storage is allowed, and never stores a denial.
   */
  consent?: ConsentState;
  /** Inactivity in ms after which a new session starts; default 30 minutes. */
  sessionTimeout?: number;
  /** Raw events kept on the device (older ones are compacted); default the store's (2,000). */
  maxEvents?: number;
  /** Receives background failures (storage, listeners); default `console.warn`. Never throws into the page. */
  onError?: (error: LikewiseError) => void;
  /**
   * Track product views, item clicks and cart buttons from the page by
   * itself (see `autoTrack`); default `false` (the script tag turns it on).
   */
  autoTrack?: boolean | Pick<AutoTrackOptions, 'observe'>;
  /**
   * The catalogue (entries `{ id, title, url, image?, price?, currency?, category?, brand?, inStock? }`):
   * an array of entries or the URL of a JSON array (small shops, loaded whole);
   * a URL template with `{ids}` (`/api/products?ids={ids}`: the comma-joined,
   * URL-encoded ids, at most 50 a request, answered with a JSON array of
   * entries); or a function from ids to entries. Default: the catalogue
   * shards of `model` (`likewise train --catalog`), when it has them. Items
   * in the page's JSON-LD join it.
   */
  catalog?: string | CatalogItem[] | CatalogLookup;
  /** URL of the model manifest written by `likewise train`. Without one, scenarios use what the device knows. */
  model?: string;
  /**
   * URL of `likewise.worker.js` (`likewise/dist/likewise.worker.js` in the package) to decode
   * shards and learn on the device off the main thread; default none: the
   * main thread does it in short tasks. Opt-in: a Worker costs a request and
   * its script, and under Trusted Types `new Worker(url)` needs a policy.
   */
  worker?: string | false;
  /** The shop's collector: consented events are sent there in batches (see `likewise collect`). */
  endpoint?: string;
  /** A holdout experiment, e.g. `{ holdout: 0.1 }`: a stable 10 % of visitors see trending (or nothing) instead. */
  experiment?: ExperimentOptions;
  /** Attribution window of `report()`, in days; default 7. */
  windowDays?: number;
  /** Where `identify()` fetches a customer's history from other devices: `GET <url>?customer=<hash>` answering a JSON array of events. */
  profileEndpoint?: string;
  /** Recommend items the visitor already bought; default false. */
  includePurchased?: boolean;
  /** Never show one item twice on a page across widgets; default true. */
  dedupe?: boolean;
  /** Language for prices and text, e.g. `de-DE`; default the page's `lang`. */
  locale?: string;
  /** Defaults for every widget (translations, classNames, showReason, dismissible...). */
  widgets?: Omit<RenderOptions, 'type' | 'itemId' | 'limit'>;
}

/** Injectable dependencies of {@link createLikewise}; every one has a browser default. */
export interface LikewiseDeps {
  /** The event log factory; default `createEventStore` from `store/` on {@link LikewiseDeps.indexedDB}. */
  createEventStore?: TrackerOptions['createEventStore'];
  /** The state store factory (session, consent record, metrics state); default `createStateStore`. */
  createStateStore?: TrackerOptions['createStateStore'];
  /** Erases every database of a site (`forget()`, withdrawal); default `deleteSiteData`. */
  deleteSiteData?: TrackerOptions['deleteSiteData'];
  /** IndexedDB factory for the default stores; default `window.indexedDB`; `null`: none, memory without a report. */
  indexedDB?: IDBFactory | null;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
  /** Fresh random id (events, sessions); default 96 bits from `crypto.getRandomValues`. */
  randomId?: () => string;
  /** Where auto-tracking looks; default `window.document`. */
  document?: Document;
  /** The page's window (for `indexedDB`); default the global `window`, if any. */
  window?: Window;
  /** Loads an on-demand part (see {@link LikewiseParts}); default: none (the entry points inject it). */
  load?: <K extends keyof LikewiseParts>(name: K) => Promise<LikewiseParts[K]>;
  /** Loads the `extras` part in place of `load('extras')` (tests). */
  loadExtras?: () => Promise<typeof Extras>;
  /** Loads the catalogue's by-id part (shards beside the model, product API lookups). */
  loadCatalog?: CatalogDeps['loadPart'];
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Default `globalThis.Worker`. */
  Worker?: typeof Worker;
  /** Lazy rendering and impressions of widgets; default `globalThis.IntersectionObserver`. */
  IntersectionObserver?: typeof IntersectionObserver;
}

/**
 * What the modules of one instance share. Modules that are not part of the
 * tracking core (catalogue, model, widgets, metrics) receive this instead of
 * reaching for globals, so they stay testable and per-site.
 */
export interface LikewiseContext {
  readonly site: string;
  readonly options: Readonly<LikewiseOptions>;
  readonly document: Document | undefined;
  readonly window: Window | undefined;
  readonly now: () => number;
  readonly randomId: () => string;
  /** Sends a background failure to `onError` (wrapped as a `STORAGE` LikewiseError when it is not one). */
  report(error: unknown): void;
  consent(): ConsentState;
  /** The site's state store (outbox, holdout group...), created on first call; `null` without consent. */
  state(): StateStore | null;
  track(input: TrackInput): Promise<void>;
  events(): Promise<LikewiseEvent[]>;
  subscribe(listener: (event: LikewiseEvent) => void): () => void;
  /** Run on every event before it is stored or announced (e.g. add `group`). */
  readonly enrich: ((event: LikewiseEvent) => void)[];
  /** Catalogue items found on the page (auto-tracking), for the catalogue to learn. */
  readonly onItem: ((item: CatalogItem) => void)[];
  /** Run by `forget()`: drop whatever you cache about the visitor. */
  readonly onForget: (() => void)[];
  /** Run by `destroy()`. */
  readonly cleanups: (() => void)[];
  /** Start-up work `ready` waits for (settled, never rejected). */
  readonly starting: Promise<unknown>[];
}

/** One likewise instance for one site, as {@link createLikewise} returns it. */
export interface Likewise {
  /**
   * Records an event. Throws a `LikewiseError` (`INVALID_EVENT`, see
   * `validateEvent` for the messages) at once when the event is invalid; the
   * returned promise resolves when the event is stored or, if storage fails
   * or consent is pending, kept in memory. It never rejects.
   * @example lw.track({ type: 'view', itemId: 'sku-1' })
   */
  track(input: TrackInput): Promise<void>;
  /**
   * Changes consent. `granted`: memory events are written and the grant is
   * recorded. `pending`: new events stay in memory. `denied`: memory events
   * are dropped, every stored byte is erased (as `forget()`), and nothing is
   * recorded afterwards. Resolves when that work is done; never rejects.
   * Throws `INVALID_INPUT` (`Consent must be "granted", "pending" or "denied", got <v>.`).
   */
  setConsent(state: ConsentState): Promise<void>;
  readonly consent: ConsentState;
  /**
   * Erases every database and key the SDK created for this site and what it
   * holds in memory. Works while writes fail. Consent stays as it is for this
   * page: with `granted`, later events are stored again (a fresh start).
   */
  forget(): Promise<void>;
  /** `'indexeddb'`, or `'memory'` when IndexedDB is missing or broken, or consent is not granted. */
  readonly storage: StorageMode;
  /** Every event (stored and in memory), oldest first. Never rejects. */
  events(): Promise<LikewiseEvent[]>;
  /** Per-item aggregates of events compacted away by the cap. Never rejects. */
  aggregates(): Promise<ItemAggregate[]>;
  /** Calls `listener` with every new event (after validation and session). Returns an unsubscribe function. */
  subscribe(listener: (event: LikewiseEvent) => void): () => void;
  /** Resolves when start-up work is done. Never rejects. */
  readonly ready: Promise<void>;
  /** Stops everything the instance started (listeners, observers, connections). Later `track()` calls do nothing. */
  destroy(): void;
  /**
   * Recommendations for one scenario, best first, each with its catalogue
   * entry and the reason it was picked. Misuse throws `INVALID_OPTION` at
   * once; model or network failures are reported to `onError` and the list
   * falls back to trending. Holdout visitors get the control.
   * @example const recs = await lw.recommend({ type: 'similar', itemId: 'sku-1', limit: 8 })
   */
  recommend(request: RecommendRequest): Promise<Recommendation[]>;
  /**
   * Renders a widget into `element` and records its impressions, clicks and
   * dismissals. Returns a cleanup that removes the widget and its listeners.
   * `widget` names the slot in those events and in `report()` (1 to 64
   * characters; default the type; containers use `data-likewise-widget`).
   * With `dedupe` (default), widgets of the page fetch one after another and
   * never show an item another widget shows; a removed widget frees its items.
   * Misuse throws `INVALID_OPTION` at once (`render: ...`).
   * @example const stop = lw.render(el, { type: 'for-you', limit: 6, widget: 'home-for-you' })
   */
  render(element: HTMLElement, options: RenderOptions & { widget?: string }): () => void;
  /**
   * Fills every `[data-likewise]` container under `root` (now and later),
   * defines `<likewise-recs>`, opens the privacy panel from
   * `[data-likewise-privacy]` links, and applies `data-likewise-segment` and
   * `data-likewise-rerank`. The script tag calls it on `document`, in the
   * task after its start. After `destroy()` it does nothing.
   * @returns a cleanup
   */
  observe(root?: ParentNode): () => void;
  /** The visitor's own figures per widget, scenario and group (impressions, clicks, CTR, carts, purchases, attributed revenue). Never rejects. */
  report(): Promise<Report>;
  /** The visitor's affinities (categories, brands, price band) and behaviour segment, computed on the device. Never rejects. */
  profile(): Promise<Profile>;
  /** Reorders the shop's own list (category page, search results) by the visitor's affinity; never drops or adds items. Never rejects. */
  rerank(itemIds: readonly string[]): Promise<string[]>;
  /**
   * Links this device's history to a shop customer, stored only as a SHA-256
   * hash (after consent); with `profileEndpoint`, brings that customer's
   * history from other devices into personalisation (in memory, this page).
   * Throws `INVALID_INPUT` at once (`identify needs a customer id of 1 to 256
   * characters.`); failures after that go to `onError`: it never rejects.
   * @example await lw.identify(customer.id)
   */
  identify(customerId: string): Promise<void>;
}

/**
 * What the on-demand parts (`src/extras.ts`) get from an instance: its
 * context plus the pieces the lazily loaded methods (`report`, `profile`,
 * `rerank`, `identify`, the privacy panel, targeted content) work on.
 */
export interface LikewiseCore extends LikewiseContext {
  /** The widget part (catalogue, scoring, renderer), loaded and started on first call. */
  widgets(): Promise<WidgetPart>;
  /** Loads an on-demand part. */
  load<K extends keyof LikewiseParts>(name: K): Promise<LikewiseParts[K]>;
  /** The scenario this visitor is served in place of `type` (holdout control), or null. */
  serve(type: Scenario): Promise<Scenario | null>;
  /** Catalogue items the page named before the widget part took them (it empties this). */
  readonly found: CatalogItem[];
  /** The instance itself (consent, storage, forget). */
  readonly lw: Likewise;
  /** The injected `fetch` (default the global one), answering early requests from their prefetch. */
  readonly fetch: typeof fetch;
  /** Measurement, once started (`undefined` without `experiment` and `endpoint`). */
  readonly metrics: Promise<Metrics | undefined>;
  /** The visitor's events plus those of their other devices (`identify`), oldest first. */
  history(): Promise<LikewiseEvent[]>;
  /** Events from the customer's other devices (`identify` + `profileEndpoint`), this page only. */
  remote: LikewiseEvent[];
  /**
   * Events announced before measurement took over (it loads on demand): it
   * stamps them (`group`, `visitor`), hands them to the outbox and has them
   * stored again through {@link LikewiseCore.rewrite}. `undefined` once taken.
   */
  held?: LikewiseEvent[];
  /** Writes events that are already stored again, under their keys (after consent only). */
  rewrite(events: LikewiseEvent[]): void;
}

type OptionRule = [name: keyof LikewiseOptions, ok: (v: unknown) => boolean, rule: string];
/** An http(s) URL, absolute or relative (the page's base is not known yet: any will do). */
const isUrl = (v: unknown) => safeUrl(v, 'http://localhost/') !== undefined;
const isBoolean = (v: unknown) => typeof v === 'boolean';
const isPositive = (v: unknown) => typeof v === 'number' && v > 0 && v < 1 / 0;
/** Checked in this order; `site` is required, the rest only when given. Add new options here. */
const OPTION_RULES: OptionRule[] = [
  [
    'site',
    (v) => typeof v === 'string' && /^[\w-]{1,64}$/.test(v),
    '1 to 64 characters of A-Z, a-z, 0-9, _ or -',
  ],
  ['consent', (v) => CONSENTS.includes(v as ConsentState), '"granted", "pending" or "denied"'],
  ['sessionTimeout', isPositive, 'a positive number of milliseconds'],
  ['maxEvents', (v) => Number.isInteger(v) && (v as number) > 0, 'a positive integer'],
  ['onError', (v) => typeof v === 'function', 'a function'],
  [
    'catalog',
    (v) => isUrl(v) || Array.isArray(v) || typeof v === 'function',
    'a URL, an array of items or a function',
  ],
  ['model', isUrl, 'a URL'],
  ['worker', (v) => v === false || isUrl(v), 'a URL or false'],
  ['endpoint', isUrl, 'a URL'],
  ['profileEndpoint', isUrl, 'a URL'],
  [
    'experiment',
    (v) => {
      const { holdout: h, control: c } = (v ?? {}) as ExperimentOptions;
      return (
        typeof h === 'number' &&
        h >= 0 &&
        h <= 1 &&
        (c === undefined || c === 'trending' || c === 'none')
      );
    },
    'an object like { holdout: 0.1 } (a share from 0 to 1)',
  ],
  ['windowDays', isPositive, 'a positive number of days'],
  ['includePurchased', isBoolean, 'true or false'],
  ['dedupe', isBoolean, 'true or false'],
  ['locale', (v) => typeof v === 'string' && v !== '', 'a language tag like "de-DE"'],
  ['widgets', (v) => typeof v === 'object' && v !== null, 'an object of widget options'],
];

/**
 * Creates a likewise instance for one site. Nothing is opened at creation:
 * the databases open on the first event or read, and never before consent.
 * What a page does not need to track, store and paint widgets (measurement,
 * `report`, `profile`, `rerank`, `identify`, the privacy panel, targeted
 * content) loads on demand through `deps.loadExtras`: at start when
 * `experiment` or `endpoint` is set, else on first use.
 *
 * Throws `INVALID_OPTION` with one of these exact messages:
 * - `createLikewise needs an options object with a "site".`
 * - `Option "site" must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -, got <v>.`
 * - `Option "consent" must be "granted", "pending" or "denied", got <v>.`
 * - `Option "sessionTimeout" must be a positive number of milliseconds, got <v>.`
 * - `Option "maxEvents" must be a positive integer, got <v>.`
 * - `Option "onError" must be a function, got <v>.`
 * - `Option "catalog" must be a URL, an array of items or a function, got <v>.`
 * - `Option "model" must be a URL, got <v>.` (likewise `endpoint`, `profileEndpoint`;
 *   `worker`: `a URL or false`): an http(s) URL, absolute or relative
 * - `Option "experiment" must be an object like { holdout: 0.1 } (a share from 0 to 1), got <v>.`
 * - `Option "windowDays" must be a positive number of days, got <v>.`
 * - `Option "includePurchased" must be true or false, got <v>.` (likewise `dedupe`)
 * - `Option "locale" must be a language tag like "de-DE", got <v>.`
 * - `Option "widgets" must be an object of widget options, got <v>.`
 *
 * @param options - see {@link LikewiseOptions}
 * @param deps - injectable stores, clock, ids and DOM (tests); browser defaults
 * @example
 * const lw = createLikewise({ site: 'my-shop', consent: 'pending' })
 * lw.track({ type: 'view', itemId: 'sku-1' })
 * cmp.onAccept(() => lw.setConsent('granted'))
 */
export function createLikewise(options: LikewiseOptions, deps: LikewiseDeps = {}): Likewise {
  if (typeof options !== 'object' || options === null)
    throw new LikewiseError(
      'INVALID_OPTION',
      'createLikewise needs an options object with a "site".',
    );
  for (const [name, ok, rule] of OPTION_RULES) {
    const v = options[name];
    if ((v !== undefined || name === 'site') && !ok(v))
      throw new LikewiseError(
        'INVALID_OPTION',
        `Option "${name}" must be ${rule}, got ${show(v)}.`,
      );
  }
  const { site, onError } = options;

  const win = deps.window ?? (typeof window === 'undefined' ? undefined : window);
  const doc = deps.document ?? win?.document;
  const now = deps.now ?? Date.now;
  const newId = deps.randomId ?? randomId;
  const report = (e: unknown) => {
    try {
      (onError ?? ((x: LikewiseError) => console.warn('[likewise]', x.message)))(
        isLikewiseError(e)
          ? e
          : new LikewiseError('STORAGE', `Storage failed: ${(e as Error)?.message ?? e}`, e),
      );
    } catch {
      // A throwing onError must not turn a handled failure into a page error.
    }
  };
  let indexedDB = deps.indexedDB;
  try {
    // Reading `indexedDB` itself can throw in sandboxed frames. Without a
    // window (server-side rendering) memory is the expected mode, not a failure.
    indexedDB ??= win ? win.indexedDB : null;
  } catch {}
  const store = { indexedDB };
  const makeEventStore = deps.createEventStore ?? ((o) => createEventStore(o, store));
  // The latest event store the tracker made, so measurement can store stamped events again.
  let eventStore: EventStore | undefined;

  const tracker = createTracker({
    site,
    consent: options.consent ?? 'granted',
    sessionTimeout: options.sessionTimeout ?? DEFAULT_SESSION_TIMEOUT,
    maxEvents: options.maxEvents,
    report,
    now,
    randomId: newId,
    createEventStore: (o) => (eventStore = makeEventStore(o)),
    createStateStore: deps.createStateStore ?? ((o) => createStateStore(o, store)),
    deleteSiteData: deps.deleteSiteData ?? ((s, d) => deleteSiteData(s, { ...d, ...store })),
    hasIndexedDB: !!indexedDB,
  });

  // The on-demand parts, each loaded once; a part that failed to load is tried again next call.
  const parts: Partial<Record<keyof LikewiseParts, Promise<unknown>>> = {};
  const load = <K extends keyof LikewiseParts>(name: K): Promise<LikewiseParts[K]> => {
    parts[name] ??= (
      name === 'extras' && deps.loadExtras
        ? deps.loadExtras()
        : deps.load
          ? deps.load(name)
          : Promise.reject(
              new LikewiseError('INVALID_OPTION', `This build cannot load likewise ${name}.`),
            )
    ).catch((e) => {
      parts[name] = undefined;
      throw e;
    });
    return parts[name] as Promise<LikewiseParts[K]>;
  };
  /** Runs `f` on the extras; a failure is reported and gives `fallback` (never rejects). */
  const lazy = <T>(f: (x: typeof Extras) => T | Promise<T>, fallback?: T): Promise<T> =>
    load('extras')
      .then(f)
      .catch((e) => {
        report(e);
        return fallback as T;
      });
  const base = doc?.baseURI;
  // Absolute, because a Worker resolves URLs against its own location; as
  // given where the page has no usable base (about:blank).
  const abs = (url: string | false | undefined) => (url ? (safeUrl(url, base) ?? url) : undefined);
  const modelUrl = abs(options.model);

  // Requests started before the widget part has loaded, answered to its first
  // request of the same URL: the manifest and the catalogue come in parallel
  // with the part's code instead of after it.
  // A URL once asked for keeps an entry (0), so a prefetch that comes late
  // never fetches again what the widget part has fetched already.
  const early = new Map<string, Promise<Response> | 0>();
  const fetchOf: typeof fetch = deps.fetch ?? ((input, init) => fetch(input, init));
  const fetcher: typeof fetch = (input, init) => {
    const key = String(input);
    const got = early.get(key);
    early.set(key, 0);
    return got || fetchOf(input, init);
  };
  const prefetch = (url: unknown): Promise<Response> | undefined => {
    if (typeof url === 'string' && !early.has(url)) {
      const p = fetchOf(url);
      // Its failure is the later request's to report.
      p.catch(() => {});
      early.set(url, p);
      return p;
    }
  };
  /**
   * Once the manifest is here, the popularity list and the shards of the
   * page's items and of the visitor's latest items start too, whether or not
   * the widget part has arrived: one round trip less before the first
   * widget. The manifest is read loosely here (the loader checks it): a
   * file name that is not a string is left alone.
   */
  const prefetchModel = (url: string) => {
    const got = prefetch(url);
    if (!got) return;
    const dir = baseOf(url);
    const manifest = got.then((r) => (r.ok ? (r.clone().json() as Promise<Manifest>) : undefined));
    const onPage = [...(doc?.querySelectorAll?.('[data-likewise][data-item-id]') ?? [])].map(
      (el) => el.getAttribute('data-item-id') as string,
    );
    // Popularity and the page's items' shards once the manifest is here,
    // the visitor's latest distinct items' once the events are read too.
    const shards = (ids: unknown[]) =>
      manifest
        .then((m) => {
          const file = (f: unknown) => typeof f === 'string' && prefetch(dir + f);
          if ((m?.shards as number) > 0) {
            file(m!.popularity?.file);
            for (const id of ids)
              if (id) file(m!.dir && `${m!.dir}${shardOf(id as string, m!.shards)}.bin`);
          }
        })
        .catch(() => {});
    shards(onPage);
    tracker
      .events()
      .then((events) => {
        // The items for-you starts from: those of views, clicks, carts and
        // purchases (the types with a weight; no impression, dismissal,
        // search or removal, whose first letters are none of these).
        const recent = new Set<unknown>();
        for (let i = events.length; i-- && recent.size < 12; )
          if ('vcap'.includes(events[i].type[0])) recent.add(events[i].itemId);
        shards([...recent]);
        // A visitor with a history learns on the device: its code comes now too.
        if (events.length) load('learn').catch(() => {});
      })
      .catch(() => {});
  };
  let widgetPart: Promise<WidgetPart> | undefined;
  const widgets = (): Promise<WidgetPart> => {
    if (!widgetPart) {
      // A Worker fetches the model itself.
      if (!options.worker && modelUrl) prefetchModel(modelUrl);
      prefetch(options.catalog);
      // The catalogue part too, beside the widget part rather than after it.
      deps.loadCatalog?.().catch(() => {});
      widgetPart = load('widgets')
        .then((w) => w.startWidgets(core, deps, { model: modelUrl, worker: abs(options.worker) }))
        .catch((e) => {
          widgetPart = undefined;
          throw e;
        });
    }
    return widgetPart;
  };

  const core = {
    site,
    options,
    document: doc,
    window: win,
    now,
    randomId: newId,
    report,
    consent: () => tracker.consent,
    state: tracker.state,
    track: tracker.track,
    events: tracker.events,
    subscribe: tracker.subscribe,
    enrich: tracker.enrich,
    found: [],
    onItem: [(item: CatalogItem) => core.found.push(item)],
    onForget: tracker.onForget,
    cleanups: [],
    starting: [],
    widgets,
    load,
    serve: async (type: Scenario) => {
      const m = await core.metrics;
      return m ? m.serve(type) : type;
    },
    fetch: fetcher,
    metrics: Promise.resolve(undefined),
    remote: [],
    async history() {
      const mine = await tracker.events();
      const { remote } = core;
      return remote.length ? [...remote, ...mine].sort((a, b) => a.ts - b.ts) : mine;
    },
    rewrite(events) {
      if (tracker.consent === 'granted' && events.length) void eventStore?.append(events);
    },
  } as Omit<LikewiseCore, 'lw'> as LikewiseCore;
  if (options.experiment || options.endpoint) {
    // Until measurement has loaded and read the visitor's id, events are held
    // for it to stamp, send and store again: the page's first view carries the
    // visitor's group like every later event.
    core.held = [];
    core.enrich.push((e) => core.held?.push(e));
    core.onForget.push(() => {
      core.held &&= [];
    });
    // `.catch` after `.then`: a throwing startMetrics must not leave `metrics`
    // rejected, or every recommend() and widget would fail with it.
    (core as { metrics: LikewiseCore['metrics'] }).metrics = load('measure')
      .then((x) =>
        x
          .startMetrics(core, {
            endpoint: abs(options.endpoint),
            experiment: options.experiment,
            windowDays: options.windowDays,
          })
          .ready(),
      )
      .catch((e) => {
        report(e);
        return undefined;
      })
      .finally(() => {
        core.held = undefined;
      });
    core.starting.push(core.metrics);
  }
  // Counted so an identify() called before a forget() stores nothing after it.
  let forgets = 0;
  core.onForget.push(() => {
    core.remote = [];
    forgets++;
  });

  const render = (element: HTMLElement, o: RenderOptions & { widget?: string }): (() => void) => {
    const widget = o?.widget ?? o?.type;
    if (o?.widget !== undefined && !(typeof widget === 'string' && widget && widget.length <= 64))
      throw new LikewiseError(
        'INVALID_OPTION',
        `render: widget must be a string of 1 to 64 characters, got ${show(o.widget)}`,
      );
    checkRender(element, { ...options.widgets, ...o });
    // Until the widget part has loaded, a cleanup only keeps the widget from starting.
    let stop: (() => void) | undefined;
    let alive = true;
    widgets().then((w) => {
      if (alive && !destroyed) stop = w.render(element, o);
    }, report);
    return () => {
      alive = false;
      stop?.();
    };
  };

  const soft = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      report(e);
    }
  };

  const observe = (root: ParentNode = doc as Document): (() => void) => {
    // A destroyed instance fills nothing (the script tag observes a task after its start).
    if (destroyed) return () => {};
    // The slot's name tells two widgets of one scenario apart in report().
    const named = (el: HTMLElement, o: RenderOptions) =>
      render(el, {
        ...o,
        widget:
          el.getAttribute('data-likewise-widget') ??
          el.getAttribute('data-widget') ??
          el.getAttribute('widget') ??
          undefined,
      });
    const stops = [
      observeContainers(root, named, { onError: report }),
      onPrivacyLink(root, (link) => lazy((x) => x.openPrivacy(core, link))),
    ];
    soft(() => defineLikewiseElement(named, undefined, report));
    let alive = true;
    // Targeted content and re-ranked grids need the profile (an on-demand part).
    if (root.querySelector?.('[data-likewise-segment],[data-likewise-rerank]'))
      lazy((x) => x.personalise(core, root)).then((f) => f && (alive ? stops.push(f) : f()));
    const stop = () => {
      alive = false;
      for (const f of stops.splice(0)) soft(f);
    };
    core.cleanups.push(stop);
    return stop;
  };

  if (options.autoTrack && doc)
    core.cleanups.push(
      autoTrack(core, doc, {
        ...(typeof options.autoTrack === 'object' ? options.autoTrack : {}),
        onItem: (item) => {
          for (const f of core.onItem) f(item);
        },
        onError: report,
      }),
    );

  let destroyed = false;
  const lw: Likewise = {
    track: tracker.track,
    setConsent: tracker.setConsent,
    get consent() {
      return tracker.consent;
    },
    forget: tracker.forget,
    get storage() {
      return tracker.storage;
    },
    events: tracker.events,
    aggregates: tracker.aggregates,
    subscribe: tracker.subscribe,
    ready: Promise.allSettled(core.starting).then(() => undefined),
    recommend(request) {
      checkRequest(request);
      return widgets()
        .then((w) => w.recommend(request))
        .catch((e) => {
          report(e);
          return [];
        });
    },
    render,
    observe,
    report: () =>
      lazy((x) => x.reportOf(core), {
        windowDays: options.windowDays ?? 7,
        currency: null,
        widgets: [],
        groups: [],
        events: 0,
        otherCurrencyLines: 0,
      }),
    profile: () =>
      lazy((x) => x.profileOf(core), {
        categories: [],
        brands: [],
        price: null,
        segment: 'new',
        pace: null,
        cart: [],
        minutesToCart: null,
        viewsPerCart: null,
        sessions: 0,
      }),
    rerank(itemIds) {
      if (!Array.isArray(itemIds))
        throw new LikewiseError('INVALID_INPUT', 'rerank needs an array of item ids.');
      return lazy((x) => x.rerankOf(core, [...itemIds]), [...itemIds]);
    },
    identify(customerId) {
      // Misuse throws at once (not as a rejection); the work after it never rejects.
      if (typeof customerId !== 'string' || !customerId || customerId.length > 256)
        throw new LikewiseError(
          'INVALID_INPUT',
          'identify needs a customer id of 1 to 256 characters.',
        );
      const n = forgets;
      return lazy((x) => x.identify(core, customerId, () => forgets !== n));
    },
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const c of core.cleanups.splice(0)) soft(c);
      tracker.destroy();
    },
  };
  (core as { lw: Likewise }).lw = lw;
  // A page with widget containers starts their code, the manifest and the
  // catalogue now, side by side, rather than when the widgets ask.
  if (doc?.querySelector?.('[data-likewise],likewise-recs')) widgets().catch(report);
  return lw;
}
