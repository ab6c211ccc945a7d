// @vitest-environment happy-dom
// The on-demand parts (src/extras.ts) loaded as the public entry loads them, over
// fake-indexeddb; and the seam createLikewise uses to hand them its state.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LikewiseCore } from '../src/createCore';
import { createLikewise, type Likewise, type LikewiseOptions } from '../src/createLikewise';
import type { LikewiseError } from '../src/errors';
import { identify } from '../src/extras';
import type { CatalogItem } from '../src/types';
import { failOnUnhandled } from './support/fakeStores';
import { deferred, FakeIO } from './support/widgetFakes';
import { withExtras } from './support/withExtras';

failOnUnhandled();

const PROFILE = 'https://shop.test/api/history';
const CATALOG: CatalogItem[] = [
  { id: 'a', title: 'A', url: '/p/a', category: 'shoes' },
  { id: 'b', title: 'B', url: '/p/b', category: 'hats' },
];
/** The customer's history on another device: a view of a hat. */
const REMOTE = [{ id: 'remote-1', type: 'view', ts: 1_699_000_000_000, session: 'x', itemId: 'b' }];

const running: Likewise[] = [];
afterEach(() => {
  for (const lw of running.splice(0)) lw.destroy();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
  // A withdrawal is remembered for the site.
  localStorage.clear();
});

function setup(options: Partial<LikewiseOptions> = {}, fetch?: typeof globalThis.fetch) {
  const factory = new IDBFactory();
  const errors: LikewiseError[] = [];
  let clock = 1_700_000_000_000;
  const lw = createLikewise(
    { site: 'shop', catalog: CATALOG, onError: (e) => errors.push(e), ...options },
    withExtras({
      indexedDB: factory,
      IntersectionObserver: FakeIO,
      fetch,
      now: () => (clock += 1000),
    }),
  );
  running.push(lw);
  return { lw, errors, factory };
}

const databases = async (factory: IDBFactory) => (await factory.databases()).map((d) => d.name);
const categories = async (lw: Likewise) => (await lw.profile()).categories.map((c) => c.value);

describe('identify() and forget()', () => {
  it('a forget() right after identify(), before the on-demand part has loaded, leaves nothing stored', async () => {
    const { lw, factory, errors } = setup();
    await lw.track({ type: 'view', itemId: 'a' });
    const done = lw.identify('customer-42');
    await lw.forget();
    await done;
    expect(await databases(factory)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('a forget() while the customer id is hashed leaves nothing stored', async () => {
    const { lw, factory, errors } = setup();
    await lw.track({ type: 'view', itemId: 'a' });
    const hashing = deferred<ArrayBuffer>();
    const digest = vi.spyOn(crypto.subtle, 'digest').mockReturnValue(hashing.promise);
    const done = lw.identify('customer-42');
    await vi.waitFor(() => expect(digest).toHaveBeenCalled());
    await lw.forget();
    hashing.resolve(new Uint8Array(32).buffer);
    await done;
    expect(await databases(factory)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it.each([
    ['forget()', (lw: Likewise) => lw.forget()],
    ['a withdrawal', (lw: Likewise) => lw.setConsent('denied')],
  ])(
    'after %s while the profile endpoint answers, the other device is not kept',
    async (_, end) => {
      const answer = deferred<Response>();
      const fetch = vi.fn(() => answer.promise);
      const { lw, errors } = setup({ profileEndpoint: PROFILE }, fetch);
      const done = lw.identify('customer-42');
      await vi.waitFor(() => expect(fetch).toHaveBeenCalled());
      await end(lw);
      answer.resolve(Response.json(REMOTE));
      await done;
      expect(await categories(lw)).toEqual([]);
      expect(errors).toEqual([]);
    },
  );

  it('still brings the other device in when nothing was forgotten', async () => {
    const fetch = vi.fn(async () => Response.json(REMOTE));
    const { lw } = setup({ profileEndpoint: PROFILE }, fetch);
    await lw.identify('customer-42');
    expect(await categories(lw)).toEqual(['hats']);
  });

  it('a forget() after identify() has brought the other device in lets it go', async () => {
    const fetch = vi.fn(async () => Response.json(REMOTE));
    const { lw, errors } = setup({ profileEndpoint: PROFILE }, fetch);
    await lw.identify('customer-42');
    expect(await categories(lw)).toEqual(['hats']);
    await lw.forget();
    expect(await categories(lw)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('identify() again adds no second reset: one forget() listener, which puts the plain history back', async () => {
    const own = [{ id: 'e1', type: 'view', itemId: 'a', ts: 2, session: 's' }];
    const core = {
      site: 'shop',
      options: { profileEndpoint: PROFILE },
      onForget: [] as (() => void)[],
      state: () => null,
      metrics: Promise.resolve(undefined),
      events: async () => own,
      fetch: vi.fn(async () => Response.json(REMOTE)),
    } as unknown as LikewiseCore;
    for (const id of ['customer-1', 'customer-2', 'customer-3']) await identify(core, id);
    expect(core.onForget).toHaveLength(1);
    expect((await core.history()).length).toBeGreaterThan(own.length);
    core.onForget[0]();
    expect(await core.history()).toBe(own);
  });

  it('does nothing when the instance saw a forget() since the call', async () => {
    const set = vi.fn(async () => {});
    const fetch = vi.fn();
    const core = {
      site: 'shop',
      options: { profileEndpoint: PROFILE },
      onForget: [],
      state: () => ({ set }),
      fetch,
    } as unknown as LikewiseCore;
    const { history } = core;
    await identify(core, 'customer-42', () => true);
    expect(set).not.toHaveBeenCalled();
    expect(fetch).not.toHaveBeenCalled();
    expect(core.history).toBe(history);
    expect(core.onForget).toEqual([]);
  });
});

describe('measurement', () => {
  it("sends events to the collector with the instance's injected fetch", async () => {
    const global = vi.fn(async () => new Response('', { status: 200 }));
    vi.stubGlobal('fetch', global);
    const fetch = vi.fn(async () => new Response('', { status: 200 }));
    const { lw, errors } = setup({ endpoint: 'https://collect.test/e' }, fetch);
    await lw.ready;
    await lw.track({ type: 'view', itemId: 'a' });
    // The outbox waits a second for more events before it sends.
    await vi.waitFor(() => expect(fetch).toHaveBeenCalled(), { timeout: 5000 });
    expect(fetch.mock.calls[0]).toMatchObject(['https://collect.test/e', { method: 'POST' }]);
    expect(global).not.toHaveBeenCalled();
    expect(errors).toEqual([]);
  });
});
