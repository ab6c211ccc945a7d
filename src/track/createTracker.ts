import { LikewiseError } from '../errors';
import type { EventStore, StateStore, StorageMode } from '../store/types';
import type { ItemAggregate, LikewiseEvent } from '../types';
import { createSession } from './createSession';
import { show, validateEvent } from './validateEvent';

/**
 * The visitor's storage consent. `granted`: events are stored on the device;
 * `pending`: kept in memory only, nothing opened or created; `denied`:
 * nothing recorded, and stored data is erased.
 */
export type ConsentState = 'granted' | 'pending' | 'denied';

/** Everything {@link createTracker} needs, already validated and defaulted by `createLikewise`. */
export interface TrackerOptions {
  site: string;
  consent: ConsentState;
  sessionTimeout: number;
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
  deleteSiteData: (
    site: string,
    deps?: { onError?: (error: LikewiseError) => void },
  ) => Promise<void>;
  /** Whether IndexedDB exists at all (what `storage` says before the first write). */
  hasIndexedDB: boolean;
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

/** The valid consent states. */
export const CONSENTS: ConsentState[] = ['granted', 'pending', 'denied'];

/** The state-store key of the session (see `createSession`). */
const SESSION_KEY = 'session';
/** The state-store key of the recorded consent decision. */
export const CONSENT_KEY = 'consent';

/**
 * Creates the event pipeline: validate synchronously, then (one step at a
 * time, in order) give each event its session, announce it, and store it
 * when consent allows. Stores are created on first use only. Storage faults
 * never reject: they go to `report` and the events stay in memory, to be
 * written with the next batch.
 *
 * @param o - validated options and injected dependencies
 * @example
 * const t = createTracker({ site: 'shop', consent: 'pending', ... })
 */
export function createTracker(o: TrackerOptions): Tracker {
  let consent = o.consent;
  /** Validated events waiting for their session. */
  let queue: LikewiseEvent[] = [];
  /** Events not (yet) in the store: before consent, or after a failed write. */
  let memory: LikewiseEvent[] = [];
  let eventStore: EventStore | undefined;
  let stateStore: StateStore | undefined;
  let sessionLoaded = false;
  let dead = false;
  let scheduled: Promise<void> | undefined;
  // One step at a time: reads see earlier writes and forget() sees no write after it.
  let chain: Promise<unknown> = Promise.resolve();
  const max = o.maxEvents ?? 2000;
  const session = createSession(o.sessionTimeout, o.randomId);
  const listeners = new Set<(event: LikewiseEvent) => void>();
  const enrich: ((event: LikewiseEvent) => void)[] = [];
  const onForget: (() => void)[] = [];

  const granted = () => consent === 'granted';
  const events = () => {
    eventStore ??= o.createEventStore({ site: o.site, maxEvents: o.maxEvents, onError: o.report });
    return eventStore;
  };
  const state = () => {
    if (!granted()) return null;
    stateStore ??= o.createStateStore({ site: o.site, onError: o.report });
    return stateStore;
  };

  const run = <T>(step: () => Promise<T> | T, fallback: T): Promise<T> => {
    const p = chain.then(step).catch((e) => {
      o.report(e);
      return fallback;
    });
    chain = p;
    return p;
  };
  const attempt = async <T>(f: () => Promise<T> | undefined): Promise<T | undefined> => {
    try {
      return await f();
    } catch (e) {
      o.report(e);
    }
  };

  const persist = async () => {
    const batch = memory;
    if (!granted() || !batch.length) return;
    // On failure the batch stays in memory (readable by events()) and goes with the next write.
    if (
      (await attempt(() =>
        events()
          .append(batch)
          .then(() => true),
      )) &&
      memory === batch
    )
      memory = [];
    await attempt(() => session.state && state()?.set(SESSION_KEY, session.state));
  };

  const flush = async () => {
    scheduled = undefined;
    const batch = queue;
    queue = [];
    if (!batch.length) return;
    if (granted() && !sessionLoaded) {
      sessionLoaded = true;
      session.restore(await attempt(() => state()?.get(SESSION_KEY)));
    }
    for (const e of batch) {
      e.session = session.touch(e.ts);
      for (const f of enrich) f(e);
      memory.push(e);
      for (const l of listeners) {
        try {
          l(e);
        } catch (err) {
          o.report(err);
        }
      }
    }
    // Bounded like the store, so a page that never gets consent (or storage) cannot grow forever.
    if (memory.length > max) memory.splice(0, memory.length - max);
    await persist();
  };

  const forget = (): Promise<void> => {
    queue = [];
    memory = [];
    session.reset();
    sessionLoaded = false;
    for (const f of onForget) attempt(f as () => undefined);
    return run(async () => {
      // Again here: a step queued before forget() may have restored the old session meanwhile.
      session.reset();
      sessionLoaded = false;
      const stores = [eventStore, stateStore];
      eventStore = stateStore = undefined;
      for (const s of stores) s?.close();
      await o.deleteSiteData(o.site, { onError: o.report });
    }, undefined);
  };

  return {
    track(input) {
      const v = validateEvent(input);
      if (consent === 'denied' || dead) return Promise.resolve();
      queue.push({ ...v, id: o.randomId(), ts: v.ts ?? o.now(), session: '' });
      scheduled ??= run(flush, undefined);
      return scheduled;
    },
    events: () =>
      run(async () => {
        const stored = (granted() && (await attempt(() => events().events()))) || [];
        const ids = new Set(stored.map((e) => e.id));
        return [...stored, ...memory.filter((e) => !ids.has(e.id))].sort((a, b) => a.ts - b.ts);
      }, []),
    aggregates: () =>
      run(async () => (granted() && (await attempt(() => events().aggregates()))) || [], []),
    get consent() {
      return consent;
    },
    setConsent(next) {
      if (!CONSENTS.includes(next))
        throw new LikewiseError(
          'INVALID_INPUT',
          `Consent must be "granted", "pending" or "denied", got ${show(next)}.`,
        );
      const was = consent;
      consent = next;
      if (next === 'denied') return forget();
      if (next === 'granted' && was !== 'granted')
        return run(async () => {
          await attempt(() => state()?.set(CONSENT_KEY, { state: 'granted', ts: o.now() }));
          await persist();
        }, undefined);
      return run(() => undefined, undefined);
    },
    get storage() {
      return granted() ? (eventStore?.mode ?? (o.hasIndexedDB ? 'indexeddb' : 'memory')) : 'memory';
    },
    forget,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    state,
    enrich,
    onForget,
    destroy() {
      if (dead) return;
      dead = true;
      listeners.clear();
      run(() => {
        eventStore?.close();
        stateStore?.close();
      }, undefined);
    },
  };
}
