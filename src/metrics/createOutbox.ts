import { LikewiseError } from '../errors';
import { utf8Length } from '../shared/utf8Length';
import { batchedState } from '../store/batchedState';
import type { StateStore } from '../store/types';
import type { LikewiseEvent } from '../types';
import type { IdentifyLink } from './identifyLink';

/** What the outbox sends: events, and the links `identify()` makes. */
export type OutboxRecord = LikewiseEvent | IdentifyLink;

/** The part of a {@link StateStore} the outbox needs. */
export type OutboxKv = Pick<StateStore, 'get' | 'set' | 'del' | 'keys'>;

/** The part of a fetch `Response` the outbox reads. */
export interface OutboxResponse {
  status: number;
  headers?: { get(name: string): string | null };
}

/** Something with `addEventListener` / `removeEventListener` (window, document). */
export interface Listenable {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** Platform dependencies of {@link createOutbox}, all defaulting to the browser's (injected in tests). */
export interface OutboxDeps {
  fetch?: (url: string, init: RequestInit) => Promise<OutboxResponse>;
  /** `null` when there is none (the unload flush then uses a keepalive fetch). */
  sendBeacon?: ((url: string, data: string) => boolean) | null;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  /** A number in [0, 1]; jitter. */
  random?: () => number;
  now?: () => number;
  /** Gets `pagehide`. Default `window`; `null` for none. */
  window?: Listenable | null;
  /** Gets `visibilitychange`. Default `document`; `null` for none. */
  document?: (Listenable & { visibilityState?: string }) | null;
}

/** Options of {@link createOutbox}. */
export interface OutboxOptions {
  /** The shop's collector URL (http, https or relative). */
  endpoint: string;
  /** Persistent key-value store (the SDK's StateStore on IndexedDB). */
  store: OutboxKv;
  /** Tries per event before it is dropped (first try included). Default 10. */
  maxAttempts?: number;
  /** First retry delay in ms. Default 1000. */
  baseDelayMs?: number;
  /** Longest retry delay in ms. Default 60000. */
  maxDelayMs?: number;
  /** Largest request body in bytes (the browser's keepalive/beacon budget). Default 65536. */
  maxBodyBytes?: number;
  /** How long new events wait for others before a send, in ms. Default 1000. */
  batchDelayMs?: number;
  /** Most events held; beyond, the oldest are dropped (reported). Default 1000. */
  maxPending?: number;
  /** Key prefix in the store. Default `outbox:`. */
  keyPrefix?: string;
  /** Every background failure (code `NETWORK` or `STORAGE`); never thrown. */
  onError?: (error: LikewiseError) => void;
}

/** What {@link createOutbox} returns. */
export interface Outbox {
  /** Resolves once the events are in the store (never rejects); they are sent shortly after. */
  add(events: readonly OutboxRecord[]): Promise<void>;
  /**
   * Sends what is pending now, unless a retry backoff is running (its timer
   * will send). Resolves when done; delivered events are out of the store by then.
   */
  flush(): Promise<void>;
  /** Number of events waiting (in memory, after the store was read). */
  pending(): number;
  /** Stops timers and listeners. Pending events stay in the store for the next page. */
  close(): void;
}

interface Entry {
  event: OutboxRecord;
  json: string;
  bytes: number;
  tries: number;
  /** Every store write for this event, chained so a late `set` never lands after its `del`. */
  io: Promise<void>;
}

interface Stored {
  event: OutboxRecord;
  tries: number;
}

/**
 * Checks the `endpoint` option: an http(s) URL or a relative one.
 *
 * @throws LikewiseError `INVALID_OPTION`: `endpoint must be an http(s) or relative URL (got <v>).`
 */
export function checkEndpoint(endpoint: unknown): string {
  if (
    typeof endpoint !== 'string' ||
    endpoint === '' ||
    // Any other scheme (javascript:, data:, ftp:) is refused.
    (/^[a-z][a-z0-9+.-]*:/i.test(endpoint) && !/^https?:\/\//i.test(endpoint))
  ) {
    throw new LikewiseError(
      'INVALID_OPTION',
      `endpoint must be an http(s) or relative URL (got ${String(endpoint)}).`,
    );
  }
  return endpoint;
}

const noop = () => {};

/**
 * The persistent outbox behind the `endpoint` option: consented events go to
 * the shop's collector in batches, survive reloads, and are delivered at
 * least once and, once acknowledged, never again.
 *
 * - Every event is stored under its own key (`outbox:<id>`) before sending,
 *   so nothing is lost across reloads: a new outbox over the same store
 *   resends what was pending. The event id makes delivery idempotent.
 *   The store calls of one tick (the events added, the deletes of a sent
 *   batch, the reads at start) share one transaction of a state store.
 * - Requests are JSON arrays sent as `text/plain` (no CORS preflight) by
 *   `fetch(..., { keepalive: true })`, one at a time, each body at most
 *   `maxBodyBytes` (batches are split; an event bigger than that alone is dropped).
 * - 2xx: the events are deleted from the store, then the flush resolves.
 *   4xx other than 408 and 429: dropped (a retry cannot help), reported.
 *   408, 429, 5xx, network errors: retried with exponential backoff and
 *   equal jitter: after the n-th consecutive failure the wait is
 *   `d x (0.5 + 0.5 x random())` with `d = min(maxDelayMs, baseDelayMs x 2^(n-1))`
 *   (at least `Retry-After` when the server sends one, up to the cap);
 *   an event is dropped after `maxAttempts` tries (counted in the store, so
 *   reloads do not reset it).
 * - On `pagehide`, or `visibilitychange` to hidden, pending events go by
 *   `navigator.sendBeacon` within one `maxBodyBytes` budget, with no
 *   store writes but small deletes. A beacon the browser accepted counts as
 *   delivered (if the page dies before the delete, the next page resends and
 *   the collector drops the duplicate id).
 * - Never throws or rejects into the host page: failures go to `onError`.
 *
 * @param options - See {@link OutboxOptions}.
 * @param deps - See {@link OutboxDeps}.
 * @throws LikewiseError `INVALID_OPTION` for a missing store or a non-http(s) endpoint.
 * @example
 * const outbox = createOutbox({ endpoint: '/events', store: state, onError });
 * void outbox.add([event]);
 */
export function createOutbox(options: OutboxOptions, deps: OutboxDeps = {}): Outbox {
  const endpoint = checkEndpoint(options.endpoint);
  if (!options.store || typeof options.store.get !== 'function') {
    throw new LikewiseError(
      'INVALID_OPTION',
      'createOutbox needs a store with get, set, del and keys.',
    );
  }
  // The store calls of one tick (a burst of events, the deletes of a sent
  // batch, the reads at start) in one transaction of the state store.
  const store = batchedState(options.store);
  const maxAttempts = options.maxAttempts ?? 10;
  const base = options.baseDelayMs ?? 1000;
  const cap = options.maxDelayMs ?? 60_000;
  const maxBody = options.maxBodyBytes ?? 65_536;
  const batchDelay = options.batchDelayMs ?? 1000;
  const maxPending = options.maxPending ?? 1000;
  const prefix = options.keyPrefix ?? 'outbox:';
  const onError = options.onError ?? noop;
  const g = globalThis as typeof globalThis & {
    window?: Listenable;
    document?: Listenable & { visibilityState?: string };
  };
  const doFetch = deps.fetch ?? ((url: string, init: RequestInit) => g.fetch(url, init));
  const beacon =
    deps.sendBeacon !== undefined
      ? deps.sendBeacon
      : typeof g.navigator?.sendBeacon === 'function'
        ? (url: string, data: string) => g.navigator.sendBeacon(url, data)
        : null;
  const setT = deps.setTimeout ?? ((fn: () => void, ms: number) => g.setTimeout(fn, ms));
  const clearT =
    deps.clearTimeout ?? ((h: unknown) => g.clearTimeout(h as ReturnType<typeof setTimeout>));
  const random = deps.random ?? Math.random;
  const now = deps.now ?? Date.now;
  const win = deps.window !== undefined ? deps.window : (g.window ?? null);
  const doc = deps.document !== undefined ? deps.document : (g.document ?? null);

  const report = (code: 'NETWORK' | 'STORAGE', message: string, cause?: unknown) => {
    try {
      onError(new LikewiseError(code, message, cause));
    } catch {
      // A throwing onError must not break the outbox.
    }
  };

  const queue = new Map<string, Entry>();
  const inFlight = new Set<string>();
  let closed = false;
  let timer: unknown = null;
  let timerDue = 0;
  let failures = 0;
  let retryAt = 0;
  let sending: Promise<void> | null = null;

  const write = (entry: Entry, op: () => Promise<void>) => {
    entry.io = entry.io
      .then(op)
      .catch((e) => report('STORAGE', 'Outbox could not write to storage.', e));
    return entry.io;
  };
  const remove = (entry: Entry) => {
    queue.delete(entry.event.id);
    return write(entry, () => store.del(prefix + entry.event.id));
  };

  const makeEntry = (event: OutboxRecord, tries: number): Entry | null => {
    const json = JSON.stringify(event);
    const bytes = utf8Length(json);
    if (bytes + 2 > maxBody) {
      report('NETWORK', `Event ${event.id} is larger than ${maxBody} bytes; dropped.`);
      return null;
    }
    return { event, json, bytes, tries, io: Promise.resolve() };
  };

  const schedule = (ms: number) => {
    if (closed) return;
    const due = Math.max(now() + ms, retryAt);
    if (timer !== null) {
      if (timerDue <= due) return;
      clearT(timer);
    }
    timerDue = due;
    timer = setT(
      () => {
        timer = null;
        void flush();
      },
      Math.max(0, due - now()),
    );
  };

  const loaded: Promise<void> = (async () => {
    try {
      const keys = (await store.keys()).filter(
        (k) => typeof k === 'string' && k.startsWith(prefix),
      );
      const found: Entry[] = [];
      // Every read asked for at once (one transaction), and every delete.
      const values = await Promise.all(keys.map((key) => store.get<Stored>(key)));
      const drops: Promise<void>[] = [];
      keys.forEach((key, i) => {
        const stored = values[i];
        const e = stored?.event;
        if (!e || typeof e.id !== 'string' || prefix + e.id !== key || typeof e.ts !== 'number') {
          drops.push(store.del(key));
          return;
        }
        const entry = makeEntry(e, typeof stored.tries === 'number' ? stored.tries : 0);
        if (entry) found.push(entry);
        else drops.push(store.del(key));
      });
      await Promise.all(drops);
      found.sort((a, b) => a.event.ts - b.event.ts);
      for (const entry of found) if (!queue.has(entry.event.id)) queue.set(entry.event.id, entry);
    } catch (e) {
      report('STORAGE', 'Outbox could not read pending events from storage.', e);
    }
    if (queue.size > 0) schedule(batchDelay);
  })();

  const backoff = (retryAfter: number | null) => {
    failures++;
    const d = Math.min(cap, base * 2 ** (failures - 1));
    let wait = d * (0.5 + 0.5 * random());
    if (retryAfter !== null) wait = Math.max(wait, Math.min(cap, retryAfter));
    retryAt = now() + wait;
    if (queue.size > 0) schedule(0);
  };

  /** Splits entries into request bodies of at most maxBody bytes. */
  const chunks = (entries: Entry[]): Entry[][] => {
    const out: Entry[][] = [];
    let cur: Entry[] = [];
    let size = 2;
    for (const e of entries) {
      const add = e.bytes + (cur.length > 0 ? 1 : 0);
      if (cur.length > 0 && size + add > maxBody) {
        out.push(cur);
        cur = [];
        size = 2;
      }
      size += e.bytes + (cur.length > 0 ? 1 : 0);
      cur.push(e);
    }
    if (cur.length > 0) out.push(cur);
    return out;
  };
  const body = (entries: Entry[]) => `[${entries.map((e) => e.json).join(',')}]`;

  const sendChunk = async (entries: Entry[]): Promise<boolean> => {
    for (const e of entries) inFlight.add(e.event.id);
    let status = 0;
    let retryAfter: number | null = null;
    let cause: unknown;
    try {
      const res = await doFetch(endpoint, {
        method: 'POST',
        body: body(entries),
        keepalive: true,
        credentials: 'omit',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
      });
      status = res.status;
      const ra = Number(res.headers?.get('retry-after'));
      if (ra > 0) retryAfter = ra * 1000;
    } catch (e) {
      cause = e;
    }
    for (const e of entries) inFlight.delete(e.event.id);
    if (status >= 200 && status < 300) {
      failures = 0;
      retryAt = 0;
      await Promise.all(entries.map(remove));
      return true;
    }
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
      await Promise.all(entries.map(remove));
      report('NETWORK', `Collector refused ${entries.length} events with HTTP ${status}; dropped.`);
      return false;
    }
    let dropped = 0;
    for (const e of entries) {
      e.tries++;
      if (e.tries >= maxAttempts) {
        dropped++;
        void remove(e);
      } else if (queue.has(e.event.id)) {
        const stored: Stored = { event: e.event, tries: e.tries };
        void write(e, () => store.set(prefix + e.event.id, stored));
      }
    }
    report(
      'NETWORK',
      `Sending ${entries.length} events failed (${status === 0 ? 'network error' : `HTTP ${status}`})` +
        (dropped > 0 ? `; ${dropped} dropped after ${maxAttempts} tries.` : '; will retry.'),
      cause,
    );
    backoff(retryAfter);
    return false;
  };

  const run = async () => {
    await loaded;
    while (!closed && now() >= retryAt) {
      const ready = [...queue.values()].filter((e) => !inFlight.has(e.event.id));
      if (ready.length === 0) return;
      for (const chunk of chunks(ready)) {
        // Closed meanwhile (consent withdrawn, forget(), destroy()): send no more.
        if (closed) return;
        if (!(await sendChunk(chunk))) {
          // A refused (4xx) chunk does not stop the others; a failure does.
          if (now() < retryAt) return;
        }
      }
    }
  };

  function flush(): Promise<void> {
    if (sending) return sending;
    sending = run()
      .catch((e) => report('NETWORK', 'Outbox send failed.', e))
      .finally(() => {
        sending = null;
      });
    return sending;
  }

  /** The last moment a page is sure to run: beacon what is pending, no big store writes. */
  const unload = () => {
    if (closed) return;
    const ready = [...queue.values()].filter((e) => !inFlight.has(e.event.id));
    if (ready.length === 0) return;
    if (!beacon) {
      void flush();
      return;
    }
    let budget = maxBody;
    for (const chunk of chunks(ready)) {
      const text = body(chunk);
      const size = utf8Length(text);
      if (size > budget) break;
      let ok = false;
      try {
        ok = beacon(endpoint, text);
      } catch {
        ok = false;
      }
      if (!ok) break;
      budget -= size;
      for (const e of chunk) void remove(e);
    }
  };
  const onPageHide = () => unload();
  const onHide = () => {
    if (doc?.visibilityState === 'hidden') unload();
  };
  win?.addEventListener('pagehide', onPageHide);
  doc?.addEventListener('visibilitychange', onHide);

  return {
    add(events) {
      if (closed) return Promise.resolve();
      const writes: Promise<void>[] = [];
      try {
        for (const event of events) {
          if (!event || typeof event.id !== 'string' || event.id === '' || queue.has(event.id))
            continue;
          const entry = makeEntry(event, 0);
          if (!entry) continue;
          queue.set(event.id, entry);
          const stored: Stored = { event, tries: 0 };
          writes.push(write(entry, () => store.set(prefix + event.id, stored)));
        }
        if (queue.size > maxPending) {
          let over = queue.size - maxPending;
          const n = over;
          for (const entry of queue.values()) {
            if (over === 0) break;
            if (inFlight.has(entry.event.id)) continue;
            void remove(entry);
            over--;
          }
          report(
            'NETWORK',
            `Outbox holds more than ${maxPending} events; dropped the ${n} oldest.`,
          );
        }
        schedule(batchDelay);
      } catch (e) {
        report('NETWORK', 'Outbox could not queue events.', e);
      }
      return Promise.all(writes).then(noop);
    },
    flush,
    pending: () => queue.size,
    close() {
      if (closed) return;
      closed = true;
      if (timer !== null) clearT(timer);
      timer = null;
      win?.removeEventListener('pagehide', onPageHide);
      doc?.removeEventListener('visibilitychange', onHide);
    },
  };
}
