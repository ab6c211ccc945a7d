import type { LikewiseError } from '../errors';
import { checkValue, FUNCTION, type Rule } from '../shared/checkValue';
import { webStorage } from '../store/connections';
import type { StoreDeps } from '../store/createConnection';
import type { EventStore, StateStore, StorageMode } from '../store/types';
import type { ItemAggregate, LikewiseEvent } from '../types';
import { createSession } from './createSession';
import { validateEvent } from './validateEvent';

/**
 * The visitor's storage consent. `granted`: events are stored on the device;
 * `pending`: kept in memory only, nothing opened or created; `denied`:
 * nothing recorded, and stored data is erased.
 */
export type ConsentState = 'granted' | 'pending' | 'denied';

/** Everything {@link createTracker} needs, already validated and defaulted by `createLikewise`. */
export interface TrackerOptions {
  site: string;
  /** Default `granted`. */
  consent?: ConsentState;
  /** Default 30 minutes. */
  sessionTimeout?: number;
  maxEvents?: number;
  /** Receives every background failure (never throws). */
  report: (error: unknown) => void;
  now: () => number;
  randomId: () => string;
  createEventStore: (options: {
    site: string;
    maxEvents?: number;
    onError?: (error: LikewiseError) => void;
  }) => EventStore;
  createStateStore: (options: {
    site: string;
    onError?: (error: LikewiseError) => void;
  }) => StateStore;
  /**
   * Erases the site's data; rejects only when it could not start (its code
   * did not load): the tracker then erases again at the next start.
   */
  deleteSiteData: (
    site: string,
    deps?: { onError?: (error: LikewiseError) => void },
  ) => Promise<void>;
  /** Whether IndexedDB exists at all (what `storage` says before the first write). */
  hasIndexedDB: boolean;
  /** Where the denial record is kept. Default: the global `localStorage`; `null` for none. */
  localStorage?: StoreDeps['localStorage'];
}

/** The consent-gated event pipeline behind `lw.track()` and its siblings (semantics: `Likewise` in createLikewise.ts). */
export interface Tracker {
  track(input: unknown): Promise<void>;
  events(): Promise<LikewiseEvent[]>;
  aggregates(): Promise<ItemAggregate[]>;
  readonly consent: ConsentState;
  setConsent(next: ConsentState): Promise<void>;
  readonly storage: StorageMode;
  forget(): Promise<void>;
  subscribe(listener: (event: LikewiseEvent) => void): () => void;
  /** The site's state store, created on first call; `null` while storage is not allowed. */
  state(): StateStore | null;
  /** Run on every event before it is stored or announced (e.g. to add the experiment group). */
  readonly enrich: ((event: LikewiseEvent) => void)[];
  /** Run by `forget()` so other modules drop what they cache in memory. */
  readonly onForget: (() => void)[];
  destroy(): void;
}

/** A valid consent state. */
export const CONSENT: Rule = [
  (v) => ['granted', 'pending', 'denied'].includes(v),
  '"granted", "pending" or "denied"',
];

/**
 * Creates the event pipeline: validate synchronously, then (one step at a
 * time, in order) give each event its session, announce it, and store it
 * when consent allows. Stores are created on first use only. Storage faults
 * never reject: they go to `report` and the events stay in memory, to be
 * written with the next batch. The session (see `createSession`) is written
 * with the events it describes; the state store keeps `consent` (the recorded grant).
 *
 * A denial lasts: `setConsent('denied')` leaves `denied` (nothing else, no
 * identifier) under the `localStorage` key `likewise-<site>.consent`, which
 * `forget()` keeps; at start it wins over `o.consent` (the host's default),
 * read synchronously so nothing is stored or sent before. Only an explicit
 * `setConsent('granted')` removes it. Without a usable `localStorage` the
 * denial lasts for the page only. An erasure (`forget()`, a denial) is
 * marked under `likewise-<site>.erase` until it has run, so one whose code
 * could not load is done at the next start, before anything is stored.
 *
 * @param o - validated options and injected dependencies
 * @example
 * const t = createTracker({ site: 'shop', consent: 'pending', ... })
 */
export function createTracker(o: TrackerOptions): Tracker {
  const { site, report } = o;
  const KEY = `likewise-${site}.consent`;
  const ERASE = `likewise-${site}.erase`;
  /** Runs `f` on the denial record's storage; none, or a throwing one, gives undefined. */
  const record = (f: (s: Storage) => unknown) => {
    try {
      return f(webStorage(o) as Storage);
    } catch {}
  };
  let consent = record((s) => s.getItem(KEY)) === 'denied' ? 'denied' : o.consent || 'granted';
  /** Validated events waiting for their session (the batch of the next scheduled flush). */
  let queue: LikewiseEvent[] | undefined;
  /** Events not (yet) in the store: before consent, or after a failed write. */
  let memory: LikewiseEvent[] = [];
  let eventStore: EventStore | undefined;
  let stateStore: StateStore | undefined;
  let loaded = false;
  let dead = false;
  let scheduled: Promise<unknown> | undefined;
  /** The batch a flush is restoring the session for (a page hide may take it). */
  let flushing: LikewiseEvent[] | undefined;
  /** The session read started by the first event, before the chain gets to it. */
  let restoring: Promise<unknown> | undefined;
  // One step at a time: reads see earlier writes and forget() sees no write after it.
  let chain: Promise<unknown> = Promise.resolve();
  const session = createSession(o.sessionTimeout, o.randomId);
  const listeners = new Set<(event: LikewiseEvent) => void>();
  const enrich: ((event: LikewiseEvent) => void)[] = [];
  const onForget: (() => void)[] = [];

  const granted = () => consent === 'granted';
  const events = () => {
    eventStore ??= o.createEventStore({ site, maxEvents: o.maxEvents, onError: report });
    return eventStore;
  };
  const state = () => {
    if (!granted()) return null;
    stateStore ??= o.createStateStore({ site, onError: report });
    return stateStore;
  };
  /** Runs `step` after every earlier one; a failure is reported and gives `fallback`. */
  const run = <T>(step: () => T | Promise<T>, fallback?: T): Promise<T> => {
    chain = chain.then(step).catch((e) => {
      report(e);
      return fallback;
    });
    return chain as Promise<T>;
  };
  const safe = <A>(f: (a: A) => void, a?: A) => {
    try {
      f(a as A);
    } catch (e) {
      report(e);
    }
  };
  /** Gives a validated event its session and enrichments, keeps it and announces it. */
  const admit = (e: LikewiseEvent) => {
    // A time ahead of the clock counts as now for the session: kept as its
    // end, it would hold every later event in that session.
    e.session = session.touch(Math.min(e.ts, o.now()));
    for (const f of enrich) safe(f, e);
    memory.push(e);
    for (const l of listeners) safe(l, e);
  };
  const close = () => {
    eventStore?.close();
    stateStore?.close();
    eventStore = stateStore = undefined;
  };
  const read = async <K extends 'events' | 'aggregates'>(k: K) =>
    ((granted() && (await events()[k]().catch(report))) || []) as Awaited<
      ReturnType<EventStore[K]>
    >;

  const persist = async () => {
    if (granted() && memory.length) {
      // On failure the batch stays in memory (events() returns it) and goes with the next write.
      // The session goes in the same transaction: it lives with the log (disposable, in
      // the log's storage bucket where there are buckets), so freeing the log's space frees its writes too.
      const sent = memory;
      await events()
        .append(sent, session.state)
        .then(() => {
          // Events a page hide added meanwhile stay for the next write.
          memory = memory.filter((e) => !sent.includes(e));
        }, report);
    }
  };

  const flush = async (batch: LikewiseEvent[]) => {
    if (queue === batch) queue = undefined;
    flushing = batch;
    if (granted() && !loaded) {
      loaded = true;
      session.restore(await (restoring ?? events().session().catch(report)));
    }
    restoring = undefined;
    // A page hide meanwhile has taken (and emptied) the batch.
    flushing = undefined;
    batch.forEach(admit);
    // Bounded like the store, so a page that never gets consent (or storage) cannot grow forever.
    memory = memory.slice(-(o.maxEvents ?? 2000));
    await persist();
  };

  // Starts opening storage (reading the session) at the first event, rather
  // than when the chain gets to it: a page left right after track() may not
  // live long enough for the open and the write in turn.
  const warm = () => {
    if (!granted() || loaded || restoring) return;
    restoring = events().session().catch(report);
  };
  // A page being left (a link click right after track()) may be gone before
  // the chain reaches the store: the events not yet written go in one
  // transaction that commits at once (the chain writes them again later under
  // the same keys, if the page lives on).
  const leave = () => {
    if (!granted() || (!eventStore && !queue?.length && !memory.length)) return;
    // A loop, not `new Set(...).forEach`: the npm build marks `new Set(...)`
    // pure, and a bundler may read that mark as the whole call's and drop it.
    for (const e of new Set([...(flushing?.splice(0) ?? []), ...(queue?.splice(0) ?? [])]))
      admit(e);
    queue = undefined;
    events().flushNow?.(memory);
  };
  const onHide = (e: Event) => {
    if (e.type[0] === 'p' || globalThis.document?.visibilityState === 'hidden') leave();
  };
  const listen = (on: boolean) => {
    for (const type of ['pagehide', 'visibilitychange'])
      globalThis[on ? 'addEventListener' : 'removeEventListener']?.(type, onHide);
  };
  listen(true);

  // The erasure, in turn with the other steps. Its code loads on demand: until
  // it has run, `likewise-<site>.erase` says so (no identifier), and a next
  // start whose erasure could not load does it before anything else. It runs
  // under the site's lock (Web Locks, where the page has them): a tab that
  // starts while another erases waits for it, then erases only if the mark is
  // still there (that tab closed or failed), never the events that tab
  // records once its erasure is done.
  const erase = (start?: boolean) =>
    run<void>(() => {
      memory = [];
      session.state = undefined;
      loaded = false;
      restoring = undefined;
      close();
      let erased: Promise<void> | undefined;
      const done = () => {
        if (!start || record((s) => s.getItem(ERASE)))
          erased = o
            .deleteSiteData(site, { onError: report })
            .then(() => void record((s) => s.removeItem(ERASE)));
        return erased;
      };
      const locks = globalThis.navigator?.locks;
      // Without the lock when it is denied (a cross-site or sandboxed frame:
      // SecurityError) or still held after 3 s (an erasure that hangs in
      // another tab must not hold this one's tracking for good).
      return (
        locks
          ? locks
              .request(ERASE, { signal: AbortSignal.timeout?.(3000) }, done)
              .catch(() => erased ?? done())
          : done()
      ) as Promise<void> | undefined;
    });
  if (record((s) => s.getItem(ERASE))) void erase(true);
  const forget = () => {
    // Tracked before: never announced. Tracked after: a new batch, flushed after the erasure.
    queue?.splice(0);
    queue = undefined;
    for (const f of onForget) safe(f);
    record((s) => s.setItem(ERASE, '1'));
    return erase();
  };

  return {
    track(input) {
      const v = validateEvent(input);
      if (consent === 'denied' || dead) return Promise.resolve();
      if (!queue) {
        const batch: LikewiseEvent[] = [];
        queue = batch;
        scheduled = run(() => flush(batch));
      }
      queue.push({ ...v, id: o.randomId(), ts: v.ts ?? o.now(), session: '' });
      warm();
      return scheduled as Promise<void>;
    },
    events: () =>
      run(async () => [...(await read('events')), ...memory].sort((a, b) => a.ts - b.ts), []),
    aggregates: () => run(async () => read('aggregates'), []),
    get consent() {
      return consent;
    },
    setConsent(next) {
      checkValue(next, CONSENT, 'consent', 'INVALID_INPUT');
      const grant = !granted() && next === 'granted';
      consent = next;
      // A refusal is remembered (the one thing kept without consent); an opt-in ends it.
      if (next !== 'pending') record((s) => (granted() ? s.removeItem(KEY) : s.setItem(KEY, next)));
      return next === 'denied'
        ? forget()
        : run(async () => {
            if (grant) {
              await state()?.set('consent', { state: next, ts: o.now() }).catch(report);
              await persist();
            }
          });
    },
    get storage() {
      return granted() ? (eventStore?.mode ?? (o.hasIndexedDB ? 'indexeddb' : 'memory')) : 'memory';
    },
    forget,
    subscribe: (listener) => {
      checkValue(listener, FUNCTION, 'subscribe: listener', 'INVALID_INPUT');
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    state,
    enrich,
    onForget,
    destroy() {
      dead = true;
      listeners.clear();
      listen(false);
      run(close);
    },
  };
}
