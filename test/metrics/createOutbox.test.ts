import { describe, expect, it } from 'vitest';
import type { LikewiseError } from '../../src/errors';
import {
  createOutbox,
  type OutboxDeps,
  type OutboxKv,
  type OutboxResponse,
} from '../../src/metrics/createOutbox';
import { createStateStore } from '../../src/store/createStateStore';
import type { LikewiseEvent } from '../../src/types';
import { faultyIndexedDB } from '../support/faultyIndexedDB';
import { erase } from '../support/parts';

/** In-memory stand-in for the IndexedDB StateStore. */
function memoryKv(): OutboxKv & { data: Map<string, unknown>; failSets: boolean } {
  const data = new Map<string, unknown>();
  const kv = {
    data,
    failSets: false,
    get: async <T>(k: string) => structuredClone(data.get(k)) as T | undefined,
    set: async (k: string, v: unknown) => {
      if (kv.failSets) throw new Error('QuotaExceededError');
      data.set(k, structuredClone(v));
    },
    del: async (k: string) => {
      data.delete(k);
    },
    keys: async () => [...data.keys()],
  };
  return kv;
}

/** A manual clock: timers run only when the test says so. */
function fakeClock() {
  let t = 1_000_000;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const delays: number[] = [];
  return {
    delays,
    now: () => t,
    setTimeout: (fn: () => void, ms: number) => {
      delays.push(ms);
      timers.set(nextId, { at: t + ms, fn });
      return nextId++;
    },
    clearTimeout: (id: unknown) => {
      timers.delete(id as number);
    },
    pending: () => timers.size,
    /** Runs the earliest timer, then lets promises settle. */
    async tick(): Promise<boolean> {
      const next = [...timers].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) return false;
      timers.delete(next[0]);
      t = Math.max(t, next[1].at);
      next[1].fn();
      await settle();
      return true;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 5));

/** A fetch that records request bodies and answers from `answer`. */
function fakeFetch(answer: (call: number) => OutboxResponse | Error) {
  const bodies: LikewiseEvent[][] = [];
  const raw: { body: string; init: RequestInit }[] = [];
  const fetch = async (_url: string, init: RequestInit): Promise<OutboxResponse> => {
    raw.push({ body: init.body as string, init });
    bodies.push(JSON.parse(init.body as string));
    const a = answer(bodies.length);
    if (a instanceof Error) throw a;
    return a;
  };
  return { fetch, bodies, raw, ids: () => bodies.flat().map((e) => e.id) };
}

const ok = (): OutboxResponse => ({ status: 200 });
const status = (s: number, retryAfter?: string): OutboxResponse => ({
  status: s,
  headers: {
    get: (h: string) => (h.toLowerCase() === 'retry-after' ? (retryAfter ?? null) : null),
  },
});

let n = 0;
const event = (extra: Partial<LikewiseEvent> = {}): LikewiseEvent => ({
  id: `ev-${++n}`,
  type: 'view',
  ts: 1_700_000_000_000 + n,
  session: 's1',
  itemId: 'sku-1',
  ...extra,
});

function setup(
  answer: (call: number) => OutboxResponse | Error,
  extra: Partial<OutboxDeps> = {},
  kv = memoryKv(),
) {
  const clock = fakeClock();
  const net = fakeFetch(answer);
  const errors: LikewiseError[] = [];
  const beacons: string[] = [];
  const win = new EventTarget();
  const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' });
  const outbox = createOutbox(
    { endpoint: 'https://collector.example/events', store: kv, onError: (e) => errors.push(e) },
    {
      fetch: net.fetch,
      sendBeacon: (_url, data) => {
        beacons.push(data);
        return true;
      },
      setTimeout: clock.setTimeout,
      clearTimeout: clock.clearTimeout,
      random: () => 1,
      now: clock.now,
      window: win,
      document: doc,
      ...extra,
    },
  );
  return { outbox, clock, net, errors, kv, beacons, win, doc };
}

const outboxKeys = (kv: { data: Map<string, unknown> }) =>
  [...kv.data.keys()].filter((k) => k.startsWith('outbox:'));

describe('createOutbox', () => {
  it('persists, batches after batchDelayMs, posts text/plain with keepalive, then clears the store', async () => {
    const { outbox, clock, net, kv } = setup(ok);
    const events = [event(), event(), event()];
    await outbox.add(events);
    expect(outboxKeys(kv)).toHaveLength(3);
    expect(net.bodies).toHaveLength(0);
    await clock.tick();
    expect(clock.delays[0]).toBe(1000);
    expect(net.bodies).toEqual([events]);
    expect(net.raw[0].init).toMatchObject({
      method: 'POST',
      keepalive: true,
      credentials: 'omit',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
    });
    expect(outboxKeys(kv)).toEqual([]);
    expect(outbox.pending()).toBe(0);
    outbox.close();
  });

  it('holds at most 1,000 events: past the cap the oldest go, from the store too, reported; the newest are sent', async () => {
    const { outbox, clock, net, kv, errors } = setup(ok);
    const first = Array.from({ length: 1000 }, () => event());
    await outbox.add(first);
    expect(outbox.pending()).toBe(1000);
    expect(errors).toEqual([]);
    const more = Array.from({ length: 250 }, () => event());
    await outbox.add(more);
    await settle();
    expect(outbox.pending()).toBe(1000);
    expect(outboxKeys(kv)).toHaveLength(1000);
    expect(errors.map((e) => e.message)).toEqual([
      'Outbox holds more than 1000 events; dropped the 250 oldest.',
    ]);
    while (await clock.tick()) {
      /* send everything */
    }
    const kept = [...first.slice(250), ...more].map((e) => e.id);
    expect(net.ids().sort()).toEqual([...kept].sort());
    expect(outboxKeys(kv)).toEqual([]);
    outbox.close();
  });

  it('retries with exponential backoff (1 s doubling, 60 s cap, equal jitter) and gives up after 10 tries', async () => {
    const { outbox, clock, net, kv, errors } = setup(() => status(503));
    await outbox.add([event()]);
    while (await clock.tick()) {
      /* run every timer */
    }
    expect(net.bodies).toHaveLength(10);
    // With random() = 1 the wait is the full d = min(60 s, 1 s x 2^(n-1)).
    expect(clock.delays).toEqual([1000, 1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
    expect(outboxKeys(kv)).toEqual([]);
    expect(errors.at(-1)?.message).toBe(
      'Sending 1 events failed (HTTP 503); 1 dropped after 10 tries.',
    );
    expect(errors.every((e) => e.code === 'NETWORK')).toBe(true);
    outbox.close();
  });

  it('jitter: with random() = 0 each wait is half the full delay', async () => {
    const { outbox, clock } = setup(() => new TypeError('Failed to fetch'), { random: () => 0 });
    await outbox.add([event()]);
    for (let i = 0; i < 4; i++) await clock.tick();
    expect(clock.delays).toEqual([1000, 500, 1000, 2000, 4000]);
    outbox.close();
  });

  it('drops on 4xx other than 408 and 429, without retrying', async () => {
    for (const s of [400, 401, 403, 404, 413, 422]) {
      const { outbox, clock, net, kv, errors } = setup(() => status(s));
      await outbox.add([event(), event()]);
      await clock.tick();
      expect(await clock.tick()).toBe(false);
      expect(net.bodies).toHaveLength(1);
      expect(outboxKeys(kv)).toEqual([]);
      expect(errors[0].message).toBe(`Collector refused 2 events with HTTP ${s}; dropped.`);
      outbox.close();
    }
  });

  it('retries 408 and 429 (honouring Retry-After) and network errors, then delivers', async () => {
    const answers = [status(408), status(429, '5'), new TypeError('Failed to fetch'), ok()];
    const { outbox, clock, net, kv } = setup((call) => answers[call - 1]);
    const e = event();
    await outbox.add([e]);
    for (let i = 0; i < 4; i++) await clock.tick();
    expect(net.ids()).toEqual([e.id, e.id, e.id, e.id]);
    // 1 s batch delay, 1 s after the 408, Retry-After 5 s after the 429 (backoff alone: 2 s), 4 s.
    expect(clock.delays).toEqual([1000, 1000, 5000, 4000]);
    expect(outboxKeys(kv)).toEqual([]);
    outbox.close();
  });

  it('splits batches so no request body exceeds 64 KB, and drops a single event that cannot fit', async () => {
    const { outbox, clock, net, errors } = setup(ok);
    const events = Array.from({ length: 300 }, () => event({ query: 'ü'.repeat(240) }));
    const huge = event({ query: 'x'.repeat(70_000) });
    await outbox.add([...events, huge]);
    await clock.tick();
    expect(net.raw.length).toBeGreaterThanOrEqual(3);
    for (const r of net.raw)
      expect(new TextEncoder().encode(r.body).length).toBeLessThanOrEqual(65536);
    expect(net.ids()).toEqual(events.map((e) => e.id));
    expect(errors.map((e) => e.message)).toEqual([
      `Event ${huge.id} is larger than 65536 bytes; dropped.`,
    ]);
    outbox.close();
  });

  it('survives a reload: a new outbox over the same store resends, and nothing is sent twice', async () => {
    const kv = memoryKv();
    const first = setup(() => new TypeError('Failed to fetch'), {}, kv);
    const events = [event(), event(), event()];
    await first.outbox.add(events);
    await first.clock.tick();
    expect(first.net.bodies).toHaveLength(1);
    first.outbox.close();
    expect(outboxKeys(kv)).toHaveLength(3);
    // The failed try is counted in the store, so reloads cannot retry forever.
    expect(kv.data.get(`outbox:${events[0].id}`)).toMatchObject({ tries: 1 });

    const second = setup(ok, {}, kv);
    await second.outbox.flush();
    expect(second.net.ids()).toEqual(events.map((e) => e.id));
    expect(outboxKeys(kv)).toEqual([]);
    second.outbox.close();

    const third = setup(ok, {}, kv);
    await third.outbox.flush();
    await third.clock.tick();
    expect(third.net.bodies).toHaveLength(0);
    third.outbox.close();
  });

  it('on the state store: a burst is stored in one transaction, its reads after a reload in one, its deletes in one', async () => {
    const idb = faultyIndexedDB();
    const state = () => createStateStore({ site: 'shop' }, { indexedDB: idb.factory, erase });
    const events = Array.from({ length: 400 }, () => event());
    const first = setup(() => new TypeError('Failed to fetch'), {}, state() as never);
    // One event per call, as the tracker hands them over, in one tick.
    await Promise.all(events.map((e) => first.outbox.add([e])));
    // The keys read at start, then the 400 events (was a transaction each).
    expect(idb.writes).toHaveLength(2);
    first.outbox.close();

    // The next page: the keys, then every pending event in one read, sent, deleted in one.
    const second = setup(ok, {}, state() as never);
    await second.outbox.flush();
    expect(second.net.ids()).toEqual(events.map((e) => e.id));
    expect(idb.writes).toHaveLength(5);
    expect(await state().keys()).toEqual([]);
    second.outbox.close();
  });

  it('sends no further request after close() (consent withdrawn in the middle of a flush)', async () => {
    let release: (r: OutboxResponse) => void = () => {};
    const calls: string[] = [];
    const kv = memoryKv();
    const outbox = createOutbox(
      // One event per request: two events make two chunks.
      { endpoint: 'https://collector.example/events', store: kv, maxBodyBytes: 120 },
      {
        fetch: (_u, init) => {
          calls.push(init.body as string);
          return new Promise<OutboxResponse>((r) => {
            release = r;
          });
        },
        setTimeout: fakeClock().setTimeout,
        window: null,
        document: null,
      },
    );
    await outbox.add([event(), event()]);
    const flushed = outbox.flush();
    await settle();
    expect(calls).toHaveLength(1);
    outbox.close();
    release(ok());
    await settle();
    expect(calls).toHaveLength(1);
    release(ok());
    await flushed;
  });

  it('concurrent flushes send each event once; events added during a send go in the next request', async () => {
    let release: (r: OutboxResponse) => void = () => {};
    // A fetch that waits for the test to answer.
    const calls: string[] = [];
    const slow = setup(ok, {
      fetch: (_u, init) => {
        calls.push(init.body as string);
        return new Promise<OutboxResponse>((r) => {
          release = r;
        });
      },
    });
    const a = event();
    await slow.outbox.add([a]);
    const f1 = slow.outbox.flush();
    const f2 = slow.outbox.flush();
    await settle();
    const b = event();
    await slow.outbox.add([b]);
    expect(calls).toHaveLength(1);
    release(ok());
    await settle();
    release(ok());
    await Promise.all([f1, f2]);
    expect(calls.map((c) => JSON.parse(c).map((e: LikewiseEvent) => e.id))).toEqual([
      [a.id],
      [b.id],
    ]);
    await slow.outbox.flush();
    expect(calls).toHaveLength(2);
    expect(outboxKeys(slow.kv)).toEqual([]);
    slow.outbox.close();
  });

  it('on pagehide sends pending events by sendBeacon within one 64 KB budget', async () => {
    const { outbox, beacons, kv, net, win } = setup(ok);
    const events = Array.from({ length: 300 }, () => event({ query: 'q'.repeat(240) }));
    await outbox.add(events);
    win.dispatchEvent(new Event('pagehide'));
    await settle();
    expect(net.bodies).toHaveLength(0);
    expect(beacons.length).toBeGreaterThan(0);
    const total = beacons.reduce((s, b) => s + new TextEncoder().encode(b).length, 0);
    expect(total).toBeLessThanOrEqual(65536);
    const sent = beacons.flatMap((b) => JSON.parse(b).map((e: LikewiseEvent) => e.id));
    // What went by beacon left the store; the rest waits for the next page.
    expect(outboxKeys(kv).length).toBe(300 - sent.length);
    expect(new Set([...sent, ...outboxKeys(kv).map((k) => k.slice(7))]).size).toBe(300);
    outbox.close();
  });

  it('visibilitychange to hidden beacons; a refused beacon keeps the events', async () => {
    const refused: string[] = [];
    const { outbox, doc, kv } = setup(ok, {
      sendBeacon: (_u, d) => {
        refused.push(d);
        return false;
      },
    });
    await outbox.add([event()]);
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(refused).toHaveLength(0);
    doc.visibilityState = 'hidden';
    doc.dispatchEvent(new Event('visibilitychange'));
    await settle();
    expect(refused).toHaveLength(1);
    expect(outboxKeys(kv)).toHaveLength(1);
    outbox.close();
  });

  it('never throws or rejects into the host: storage and onError failures are contained', async () => {
    const kv = memoryKv();
    kv.failSets = true;
    const { outbox, clock, net, errors } = setup(ok, {}, kv);
    const e = event();
    await expect(outbox.add([e])).resolves.toBeUndefined();
    expect(errors[0].code).toBe('STORAGE');
    await clock.tick();
    expect(net.ids()).toEqual([e.id]);
    outbox.close();

    const throwing = createOutbox(
      {
        endpoint: '/events',
        store: memoryKv(),
        onError: () => {
          throw new Error('host bug');
        },
      },
      {
        fetch: () => {
          throw new Error('sync throw');
        },
        setTimeout: () => 0,
        clearTimeout: () => {},
        window: null,
        document: null,
      },
    );
    await expect(throwing.add([event()])).resolves.toBeUndefined();
    await expect(throwing.flush()).resolves.toBeUndefined();
    throwing.close();
  });

  it('close() stops timers and unload listeners', async () => {
    const { outbox, clock, beacons, win } = setup(ok);
    await outbox.add([event()]);
    outbox.close();
    expect(clock.pending()).toBe(0);
    win.dispatchEvent(new Event('pagehide'));
    expect(beacons).toHaveLength(0);
  });

  it('refuses a non-http endpoint and a missing store at once', () => {
    expect(() => createOutbox({ endpoint: 'javascript:alert(1)', store: memoryKv() })).toThrow(
      'endpoint must be an http(s) or relative URL (got javascript:alert(1)).',
    );
    expect(() => createOutbox({ endpoint: '/e', store: undefined as unknown as OutboxKv })).toThrow(
      'createOutbox needs a store with get, set, del and keys.',
    );
  });
});
