/**
 * In-memory stores that implement src/store/types.ts, sharing one fake
 * "disk" so a new instance on the same disk behaves like a page reload.
 */
import { afterEach, expect } from 'vitest';
import type { LikewiseDeps } from '../../src/createLikewise';
import type { EventStore, StateStore } from '../../src/store/types';
import type { ItemAggregate, LikewiseEvent } from '../../src/types';

interface FakeDb {
  events: LikewiseEvent[];
  aggregates: ItemAggregate[];
  state: Map<string, unknown>;
}

/** A fake device: databases by name, plus counters a test can assert on. */
export interface FakeDisk {
  /** Databases by name, as the real store names them (`likewise-<site>.events`, `likewise-<site>`). */
  dbs: Map<string, FakeDb>;
  /** Names of databases created, in order (a create is the first use, as the real store opens lazily). */
  created: string[];
  /** How many store objects were made. */
  factoryCalls: number;
  /** Sites passed to deleteSiteData. */
  deleted: string[];
  /** When true, every event/state write rejects (like a broken IndexedDB). */
  failWrites: boolean;
  /** Connections closed. */
  closed: number;
  deps: Required<Pick<LikewiseDeps, 'createEventStore' | 'createStateStore' | 'deleteSiteData'>>;
}

/** A fresh fake disk. */
export function createFakeDisk(): FakeDisk {
  const disk: FakeDisk = {
    dbs: new Map(),
    created: [],
    factoryCalls: 0,
    deleted: [],
    failWrites: false,
    closed: 0,
    deps: undefined as never,
  };
  const open = (name: string): FakeDb => {
    let db = disk.dbs.get(name);
    if (!db) {
      db = { events: [], aggregates: [], state: new Map() };
      disk.dbs.set(name, db);
      disk.created.push(name);
    }
    return db;
  };
  const failure = () => new DOMException('The write failed.', 'UnknownError');
  const tick = () => new Promise<void>((r) => setTimeout(r, 0));

  const createEventStore = ({ site }: { site: string }): EventStore => {
    disk.factoryCalls++;
    const name = `likewise-${site}.events`;
    return {
      mode: 'indexeddb',
      async append(events, session) {
        await tick();
        if (disk.failWrites) throw failure();
        open(name).events.push(...structuredClone(events));
        if (session) open(name).state.set('session', structuredClone(session));
      },
      async session() {
        return structuredClone(open(name).state.get('session'));
      },
      async events() {
        await tick();
        return structuredClone(open(name).events);
      },
      async aggregates() {
        return structuredClone(open(name).aggregates);
      },
      close() {
        disk.closed++;
      },
    };
  };
  const createStateStore = ({ site, name: part }: { site: string; name?: string }): StateStore => {
    disk.factoryCalls++;
    const name = `likewise-${site}${part ? '.' + part : ''}`;
    return {
      mode: 'indexeddb',
      async get<T>(key: string) {
        return structuredClone(open(name).state.get(key)) as T | undefined;
      },
      async set(key, value) {
        if (disk.failWrites) throw failure();
        open(name).state.set(key, structuredClone(value));
      },
      async del(key) {
        open(name).state.delete(key);
      },
      async keys() {
        return [...open(name).state.keys()];
      },
      close() {
        disk.closed++;
      },
    };
  };
  const deleteSiteData = async (site: string) => {
    await tick();
    disk.deleted.push(site);
    // Deleting works even while writes fail (it is what recovers a full origin).
    // Same rule as the real deleteSiteData: `likewise-<site>` and `likewise-<site>.*`.
    for (const name of [...disk.dbs.keys()])
      if (name === `likewise-${site}` || name.startsWith(`likewise-${site}.`))
        disk.dbs.delete(name);
  };
  disk.deps = { createEventStore, createStateStore, deleteSiteData };
  return disk;
}

/** A deterministic id source: `id-1`, `id-2`, ... */
export function counterIds(prefix = 'id-'): () => string {
  let n = 0;
  return () => prefix + ++n;
}

/**
 * Collects unhandled rejections and page `error` events during each test of
 * the calling file and fails the test if there were any (RELIABILITY: every
 * test asserts 0 of them).
 */
export function failOnUnhandled(): void {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(reason);
  const onError = (e: Event) => seen.push((e as ErrorEvent).error ?? e);
  process.on('unhandledRejection', onRejection);
  window.addEventListener('error', onError);
  window.addEventListener('unhandledrejection', onError);
  afterEach(async () => {
    await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual([]);
    seen.length = 0;
  });
}

/**
 * Replaces the children of `target` with parsed test markup (DOMParser: no HTML
 * sink assignment anywhere in the repo; scripts in it never run).
 */
export function setHtml(target: Element, markup: string): void {
  const parsed = new DOMParser().parseFromString(`<body>${markup}</body>`, 'text/html');
  // Copy the live list first: adopting a node removes it from `childNodes`.
  target.replaceChildren(...[...parsed.body.childNodes].map((n) => document.adoptNode(n)));
}
