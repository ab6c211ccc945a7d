import { checkOptions } from './checkOptions';
import { createCore } from './createCore';
import { createExtrasMethods } from './createExtrasMethods';
import { createPartLoader, type PartLoader } from './createPartLoader';
import { createRender } from './createRender';
import { createReporter, runEach } from './createReporter';
import { createStoredTracker } from './createStoredTracker';
import type { LikewiseError } from './errors';
import type { ExperimentOptions } from './metrics/assignGroup';
import type { Profile } from './metrics/computeProfile';
import type { Report } from './metrics/computeReport';
import { checkRequest, type RecommendRequest } from './model/checkRequest';
import type { CatalogLookup } from './model/createCatalog';
import type { observePage } from './observePage';
import type { StorageMode } from './store/types';
import type { AutoTrackOptions, autoTrack } from './track/autoTrack';
import { randomId } from './track/createSession';
import type { ConsentState, TrackerOptions } from './track/createTracker';
import type {
  CatalogItem,
  ItemAggregate,
  LikewiseEvent,
  Recommendation,
  TrackInput,
} from './types';
import type { RenderOptions } from './widgets/render';

export type { LikewiseParts } from './createPartLoader';

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
  /** Auto-tracking, when the build holds it (the script tag); default: the `autoTrack` part, loaded with the option. */
  autoTrack?: typeof autoTrack;
  /**
   * `observe()`'s work: the module itself in the script tag (it observes
   * every page), `observeLater(load)` in the npm entry (a part loaded at the
   * first `observe()`). Each entry passes one; `observe()` needs it.
   */
  observePage?: typeof observePage;
  /** Loads an on-demand part (see {@link LikewiseParts}); default: none (the entry points inject it). */
  load?: PartLoader;
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Lazy rendering and impressions of widgets; default `globalThis.IntersectionObserver`. */
  IntersectionObserver?: typeof IntersectionObserver;
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
   * Throws `INVALID_INPUT` (`consent must be "granted", "pending" or "denied", got <v>.`).
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
   * Throws `INVALID_INPUT` at once (`identify: customerId must be a string of
   * 1 to 256 characters, got <v>.`); failures after that go to `onError`: it never rejects.
   * @example await lw.identify(customer.id)
   */
  identify(customerId: string): Promise<void>;
}

/**
 * Creates a likewise instance for one site. Nothing is opened at creation:
 * the databases open on the first event or read, and never before consent.
 * What a page does not need to track and store (widgets, measurement,
 * `report`, `profile`, `rerank`, `identify`, the privacy panel, targeted
 * content) loads on demand through `deps.load`: measurement at start when
 * `experiment` or `endpoint` is set, the rest on first use.
 *
 * Misuse throws `INVALID_OPTION` at once, with the messages listed at
 * `checkOptions` (`createLikewise: site must be 1 to 64 of A-Z a-z 0-9 _ -,
 * got <v>.` and the like).
 *
 * @param options - see {@link LikewiseOptions}
 * @param deps - injectable stores, clock, ids and DOM (tests); browser defaults
 * @example
 * const lw = createLikewise({ site: 'my-shop', consent: 'pending' })
 * lw.track({ type: 'view', itemId: 'sku-1' })
 * cmp.onAccept(() => lw.setConsent('granted'))
 */
export function createLikewise(options: LikewiseOptions, deps: LikewiseDeps = {}): Likewise {
  checkOptions(options);
  // No window where the code runs on a server (rendering a page).
  const win = deps.window ?? globalThis.window;
  const doc = deps.document ?? win?.document;
  const platform = {
    window: win,
    document: doc,
    now: deps.now ?? Date.now,
    randomId: deps.randomId ?? randomId,
    report: createReporter(options.onError),
  };
  const { report } = platform;
  const load = createPartLoader(deps.load);
  const { tracker, rewrite } = createStoredTracker(options, deps, load, platform);
  const core = createCore({
    ...platform,
    options,
    deps,
    load,
    tracker,
    rewrite,
    instance: () => lw,
  });
  let destroyed = false;
  const render = createRender(core, () => destroyed);
  const auto = options.autoTrack;
  const startAutoTrack = (f: typeof autoTrack) =>
    destroyed ||
    core.cleanups.push(
      // `true` spreads to nothing.
      f(core, doc as Document, {
        ...(auto as object),
        onItem: (item) => {
          for (const g of core.onItem) g(item);
        },
        onError: report,
      }),
    );
  // At once where the build holds it (the script tag), else an on-demand
  // part (the npm build): `ready` waits for its start.
  if (auto && doc)
    if (deps.autoTrack) startAutoTrack(deps.autoTrack);
    else
      core.starting.push(core.load('autoTrack').then((m) => startAutoTrack(m.autoTrack), report));

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
      return core
        .widgets()
        .then((w) => w.recommend(request))
        .catch((e) => {
          report(e);
          return [];
        });
    },
    render,
    observe(root = doc as Document) {
      // A destroyed instance fills nothing (the script tag observes a task after its start).
      if (destroyed) return () => {};
      const stop = deps.observePage!(core, root, render);
      core.cleanups.push(stop);
      return stop;
    },
    ...createExtrasMethods(core),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      runEach(core.cleanups, report);
      tracker.destroy();
    },
  };
  // A page with widget containers starts their code, the manifest and the
  // catalogue now, side by side, rather than when the widgets ask.
  if (doc?.querySelector?.('[data-likewise],likewise-recs')) core.widgets().catch(report);
  return lw;
}
