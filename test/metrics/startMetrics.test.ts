import { afterEach, describe, expect, it, vi } from 'vitest';
import { assignGroup } from '../../src/metrics/assignGroup';
import { computeReport } from '../../src/metrics/computeReport';
import type { OutboxResponse } from '../../src/metrics/createOutbox';
import { type MetricsHost, startMetrics, VISITOR_KEY } from '../../src/metrics/startMetrics';
import type { StateStore } from '../../src/store/types';
import type { LikewiseEvent } from '../../src/types';

function memoryState(): StateStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    mode: 'memory',
    get: async <T>(k: string) => data.get(k) as T | undefined,
    set: async (k, v) => {
      data.set(k, v);
    },
    del: async (k) => {
      data.delete(k);
    },
    keys: async () => [...data.keys()],
    close: () => {},
  };
}

/** A stand-in for createLikewise's context: track() enriches, keeps and announces. */
function fakeHost(consent: 'granted' | 'pending' = 'granted', state = memoryState()) {
  let n = 0;
  const listeners = new Set<(e: LikewiseEvent) => void>();
  const kept: LikewiseEvent[] = [];
  const host: MetricsHost & {
    consentNow: string;
    track(e: Partial<LikewiseEvent>): void;
    errors: unknown[];
  } = {
    consentNow: consent,
    errors: [],
    randomId: () => `id-${++n}`,
    report: (e) => host.errors.push(e),
    consent: () => host.consentNow as 'granted',
    state: () => (host.consentNow === 'granted' ? state : null),
    events: async () => kept,
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    enrich: [],
    onForget: [],
    cleanups: [],
    starting: [],
    track(partial) {
      const e = {
        id: `ev-${++n}`,
        type: 'view',
        ts: 1_700_000_000_000 + n,
        session: 's',
        ...partial,
      } as LikewiseEvent;
      for (const f of host.enrich) f(e);
      kept.push(e);
      for (const l of listeners) l(e);
    },
  };
  return { host, state };
}

const settle = () => new Promise((r) => setTimeout(r, 5));
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('startMetrics', () => {
  it('keeps one visitor id in the state store and a stable group across "reloads"', async () => {
    const { host, state } = fakeHost();
    const m = startMetrics(host, { experiment: { holdout: 0.5 } });
    await Promise.all(host.starting);
    const id = state.data.get(VISITOR_KEY) as string;
    expect(id).toBe('id-1');
    expect(m.group()).toBe(assignGroup(id, { holdout: 0.5 }));
    // A new page over the same state reads the same id.
    const again = fakeHost('granted', state);
    const m2 = startMetrics(again.host, { experiment: { holdout: 0.5 } });
    await Promise.all(again.host.starting);
    expect(m2.group()).toBe(m.group());
    expect(state.data.get(VISITOR_KEY)).toBe(id);
  });

  it('stamps group and visitor on events and sends only consented ones to the endpoint', async () => {
    const bodies: LikewiseEvent[][] = [];
    const timers: (() => void)[] = [];
    const { host } = fakeHost('pending');
    startMetrics(
      host,
      { endpoint: '/events', experiment: { holdout: 0.2 } },
      {
        fetch: async (_u, init): Promise<OutboxResponse> => {
          bodies.push(JSON.parse(init.body as string));
          return { status: 200 };
        },
        setTimeout: (fn) => timers.push(fn),
        clearTimeout: () => {},
        window: null,
        document: null,
      },
    );
    host.track({ itemId: 'a' });
    await settle();
    host.consentNow = 'granted';
    host.track({ itemId: 'b' });
    await settle();
    for (const t of timers.splice(0)) t();
    await settle();
    expect(bodies.flat().map((e) => e.itemId)).toEqual(['b']);
    const sent = bodies.flat()[0];
    expect(sent.group).toMatch(/^(treatment|holdout)$/);
    expect(sent.visitor).toBe('id-1');
    expect(host.errors).toEqual([]);
  });

  it('sends an identify link (visitor and customer hash) only with consent and an endpoint', async () => {
    const hash = 'ab'.repeat(32);
    const bodies: unknown[][] = [];
    const timers: (() => void)[] = [];
    const deps = {
      fetch: async (_u: string, init: RequestInit): Promise<OutboxResponse> => {
        bodies.push(JSON.parse(init.body as string));
        return { status: 200 };
      },
      setTimeout: (fn: () => void) => timers.push(fn),
      clearTimeout: () => {},
      window: null,
      document: null,
    };
    const send = async () => {
      await settle();
      for (const t of timers.splice(0)) t();
      await settle();
    };
    const { host } = fakeHost('pending');
    const m = startMetrics(host, { endpoint: '/events' }, deps);
    await m.link(hash);
    await send();
    expect(bodies).toEqual([]);
    host.consentNow = 'granted';
    await m.link(hash);
    await send();
    expect(bodies.flat()).toEqual([
      {
        id: expect.any(String),
        type: 'identify',
        ts: expect.any(Number),
        visitor: 'id-1',
        customer: hash,
      },
    ]);
    // Without an endpoint there is no collector to tell.
    const alone = fakeHost();
    await startMetrics(alone.host, {}, deps).link(hash);
    await send();
    expect(bodies.flat()).toHaveLength(1);
    expect(host.errors).toEqual([]);
  });

  it('serves the control to the holdout and reports the visitor own events', async () => {
    const { host } = fakeHost();
    const m = startMetrics(host, { experiment: { holdout: 1, control: 'none' } });
    await Promise.all(host.starting);
    expect(m.group()).toBe('holdout');
    expect(m.serve('for-you')).toBeNull();
    host.track({ type: 'click', rec: 'r', itemId: 'x', scenario: 'similar' });
    host.track({ type: 'purchase', itemId: 'x', price: 5, session: 'other' });
    // lw.report() computes this from the events measurement stamped (src/extras.ts).
    const r = computeReport(await host.events(), { visitorKey: () => 'me' });
    expect(r.widgets[0]).toMatchObject({
      scenario: 'similar',
      group: 'holdout',
      purchases: 1,
      revenue: 5,
    });
  });

  it('stamps the events held before it started with the stored visitor, stores them again and sends them once', async () => {
    const state = memoryState();
    state.data.set(VISITOR_KEY, 'returning-visitor');
    const { host } = fakeHost('granted', state);
    const early = { id: 'early', type: 'view', ts: 1_700_000_000_000, session: 's', itemId: 'a' };
    host.held = [early as LikewiseEvent];
    const rewritten: LikewiseEvent[][] = [];
    host.rewrite = (events) => rewritten.push(events.map((e) => ({ ...e })));
    const bodies: LikewiseEvent[][] = [];
    const timers: (() => void)[] = [];
    const m = startMetrics(
      host,
      { endpoint: '/events', experiment: { holdout: 0.5 } },
      {
        fetch: async (_u, init): Promise<OutboxResponse> => {
          bodies.push(JSON.parse(init.body as string));
          return { status: 200 };
        },
        setTimeout: (fn) => timers.push(fn),
        clearTimeout: () => {},
        window: null,
        document: null,
      },
    );
    const group = assignGroup('returning-visitor', { holdout: 0.5 });
    expect(await m.ready()).toBe(m);
    expect(host.held).toBeUndefined();
    expect(early).toMatchObject({ visitor: 'returning-visitor', group });
    expect(rewritten).toEqual([[{ ...early, visitor: 'returning-visitor', group }]]);
    await settle();
    for (const t of timers.splice(0)) t();
    await settle();
    expect(bodies.flat()).toEqual([{ ...early, visitor: 'returning-visitor', group }]);
    expect(host.errors).toEqual([]);
  });

  it("sends with the instance's injected fetch, not the global one", async () => {
    const global = vi.fn(async () => new Response('', { status: 200 }));
    vi.stubGlobal('fetch', global);
    const sent: string[] = [];
    const timers: (() => void)[] = [];
    const { host } = fakeHost();
    Object.assign(host, {
      fetch: async (url: string, init: RequestInit): Promise<OutboxResponse> => {
        sent.push(`${url} ${init.body}`);
        return { status: 200 };
      },
    });
    startMetrics(
      host,
      { endpoint: 'https://collect.test/e' },
      { setTimeout: (fn) => timers.push(fn), clearTimeout: () => {}, window: null, document: null },
    );
    await Promise.all(host.starting);
    host.track({ id: 'e1', itemId: 'a' });
    await settle();
    for (const t of timers.splice(0)) t();
    await settle();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^https:\/\/collect\.test\/e \[\{"id":"e1",/);
    expect(global).not.toHaveBeenCalled();
    expect(host.errors).toEqual([]);
  });

  it('refuses a bad endpoint or experiment at once', () => {
    expect(() => startMetrics(fakeHost().host, { endpoint: 'ftp://x' })).toThrow(
      'endpoint must be an http(s) or relative URL (got ftp://x).',
    );
    expect(() => startMetrics(fakeHost().host, { experiment: { holdout: 2 } })).toThrow(
      'experiment.holdout must be a number from 0 to 1 (got 2).',
    );
  });
});
