import { isLikewiseError, LikewiseError } from './errors';
import { createEventStore } from './store/createEventStore';
import { createStateStore } from './store/createStateStore';
import { deleteSiteData } from './store/deleteSiteData';
import type { StateStore, StorageMode } from './store/types';
import { type AutoTrackOptions, autoTrack } from './track/autoTrack';
import { DEFAULT_SESSION_TIMEOUT, randomId } from './track/createSession';
import {
  CONSENTS,
  type ConsentState,
  createTracker,
  type TrackerOptions,
} from './track/createTracker';
import { show } from './track/validateEvent';
import type { CatalogItem, ItemAggregate, LikewiseEvent, TrackInput } from './types';

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
}

/** Injectable dependencies of {@link createLikewise}; every one has a browser default. */
export interface LikewiseDeps {
  /** The event log factory; default `createEventStore` from `store/` on {@link LikewiseDeps.indexedDB}. */
  createEventStore?: TrackerOptions['createEventStore'];
  /** The state store factory (session, consent record, metrics state); default `createStateStore`. */
  createStateStore?: TrackerOptions['createStateStore'];
  /** Erases every database of a site (`forget()`, withdrawal); default `deleteSiteData`. */
  deleteSiteData?: TrackerOptions['deleteSiteData'];
  /** IndexedDB factory for the default stores; default `window.indexedDB`. */
  indexedDB?: IDBFactory;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
  /** Fresh random id (events, sessions); default 96 bits from `crypto.getRandomValues`. */
  randomId?: () => string;
  /** Where auto-tracking looks; default `window.document`. */
  document?: Document;
  /** The page's window (for `indexedDB`); default the global `window`, if any. */
  window?: Window;
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
}

type OptionRule = [name: keyof LikewiseOptions, ok: (v: unknown) => boolean, rule: string];
/** Checked in this order; `site` is required, the rest only when given. Add new options here. */
const OPTION_RULES: OptionRule[] = [
  [
    'site',
    (v) => typeof v === 'string' && /^[\w-]{1,64}$/.test(v),
    '1 to 64 characters of A-Z, a-z, 0-9, _ or -',
  ],
  ['consent', (v) => CONSENTS.includes(v as ConsentState), '"granted", "pending" or "denied"'],
  [
    'sessionTimeout',
    (v) => typeof v === 'number' && v > 0 && v < Infinity,
    'a positive number of milliseconds',
  ],
  ['maxEvents', (v) => Number.isInteger(v) && (v as number) > 0, 'a positive integer'],
  ['onError', (v) => typeof v === 'function', 'a function'],
];

/**
 * Creates a likewise instance for one site. Nothing is opened at creation:
 * the databases open on the first event or read, and never before consent.
 *
 * Throws `INVALID_OPTION` with one of these exact messages:
 * - `createLikewise needs an options object with a "site".`
 * - `Option "site" must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -, got <v>.`
 * - `Option "consent" must be "granted", "pending" or "denied", got <v>.`
 * - `Option "sessionTimeout" must be a positive number of milliseconds, got <v>.`
 * - `Option "maxEvents" must be a positive integer, got <v>.`
 * - `Option "onError" must be a function, got <v>.`
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
  const {
    site,
    consent = 'granted',
    sessionTimeout = DEFAULT_SESSION_TIMEOUT,
    maxEvents,
    onError,
  } = options;

  const win = deps.window ?? (typeof window === 'undefined' ? undefined : window);
  const doc = deps.document ?? win?.document;
  const now = deps.now ?? Date.now;
  const newId = deps.randomId ?? randomId;
  const report = (e: unknown) => {
    const err = isLikewiseError(e)
      ? e
      : new LikewiseError('STORAGE', `Storage failed: ${(e as Error)?.message ?? e}`, e);
    try {
      (onError ?? ((x: LikewiseError) => console.warn('[likewise]', x.message)))(err);
    } catch {
      // A throwing onError must not turn a handled failure into a page error.
    }
  };
  let indexedDB = deps.indexedDB;
  try {
    // Reading `indexedDB` itself can throw in sandboxed frames.
    indexedDB ??= win?.indexedDB;
  } catch {}
  const store = { indexedDB };

  const tracker = createTracker({
    site,
    consent,
    sessionTimeout,
    maxEvents,
    report,
    now,
    randomId: newId,
    createEventStore: deps.createEventStore ?? ((o) => createEventStore(o, store)),
    createStateStore: deps.createStateStore ?? ((o) => createStateStore(o, store)),
    deleteSiteData: deps.deleteSiteData ?? ((s, d) => deleteSiteData(s, { ...d, ...store })),
    hasIndexedDB: !!indexedDB,
  });

  const ctx: LikewiseContext = {
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
    onItem: [],
    onForget: tracker.onForget,
    cleanups: [],
    starting: [],
  };

  // Extension point: modules (catalogue, model, widgets, metrics) start here with `ctx`.

  if (options.autoTrack && doc)
    ctx.cleanups.push(
      autoTrack(ctx, doc, {
        ...(typeof options.autoTrack === 'object' ? options.autoTrack : {}),
        onItem: (item) => {
          for (const f of ctx.onItem) f(item);
        },
        onError: report,
      }),
    );

  let destroyed = false;
  return {
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
    ready: Promise.allSettled(ctx.starting).then(() => undefined),
    destroy() {
      if (destroyed) return;
      destroyed = true;
      for (const c of ctx.cleanups.splice(0)) {
        try {
          c();
        } catch (e) {
          report(e);
        }
      }
      tracker.destroy();
    },
  };
}
