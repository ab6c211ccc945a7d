// @vitest-environment happy-dom
// recommend() over the tiny shop of ./fixtures.ts, worked out by hand:
// similar a = b .9, z .85 (unknown to the catalogue), c .8, d .5;
// together a = e 1, f .5; together b = g 1;
// popularity z > h > g > f > e > d > c > b > a.
import { describe, expect, it, vi } from 'vitest';
import { isLikewiseError, type LikewiseError } from '../../src/errors';
import { createCatalog } from '../../src/model/createCatalog';
import { createRecommender, type RecommenderOptions } from '../../src/model/createRecommender';
import { encodeModel } from '../../src/model/encodeModel';
import type { CatalogItem, LikewiseEvent, Recommendation } from '../../src/types';
import { failOnUnhandled } from '../support/fakeStores';
import { modelService } from '../support/modelService';
import { catalogItems, csr, event, serve, tinyModel } from './fixtures';

failOnUnhandled();

const M = 'https://cdn.test/m/';

function setup(
  events: LikewiseEvent[] = [],
  catalog: Record<string, Partial<CatalogItem>> = {},
  options: RecommenderOptions = { excludePurchased: true },
) {
  const errors: LikewiseError[] = [];
  const server = serve({ [M]: tinyModel() });
  const service = modelService(`${M}manifest.json`, { fetch: server.fetch });
  const train = vi.spyOn(service, 'train');
  const report = (e: unknown) => errors.push(e as LikewiseError);
  const recommend = createRecommender(
    { events: async () => events, report },
    createCatalog(catalogItems(catalog), report),
    service,
    options,
  );
  return { recommend, errors, server, train, events, service };
}

/**
 * A shop of 16 products p0..p15, each similar to one item of its own only
 * (p3 to x3), bought with one other (p3 with t3), all in the catalogue.
 */
function longShop() {
  const ps = Array.from({ length: 16 }, (_, i) => `p${i}`);
  const ids = [...ps, ...ps.map((p) => `x${p.slice(1)}`), ...ps.map((p) => `t${p.slice(1)}`)];
  const only = (prefix: string) =>
    Object.fromEntries(
      ps.map((p): [string, [string, number][]] => [p, [[prefix + p.slice(1), 0.9]]]),
    );
  const { files } = encodeModel(
    {
      neighbours: csr(ids, only('x')),
      together: csr(ids, only('t')),
      popularity: ids.map((_, i) => ids.length - i),
      k: 4,
      similarity: 'cosine',
    },
    { shards: 4, scoreBits: 16, createdAt: new Date(0) },
  );
  const server = serve({ [M]: files });
  const items = ids.map((id) => ({ id, title: id, url: `https://shop.test/p/${id}` }));
  // Each call a new recommender over the same files: what a fresh page answers.
  const create = (events: LikewiseEvent[]) => {
    const errors: unknown[] = [];
    const service = modelService(`${M}manifest.json`, { fetch: server.fetch });
    const lists = vi.spyOn(service, 'lists');
    const train = vi.spyOn(service, 'train');
    const report = (e: unknown) => errors.push(e);
    const recommend = createRecommender(
      { events: async () => events, report },
      createCatalog(items, report),
      service,
    );
    return { recommend, lists, train, errors };
  };
  return { server, create };
}

const ids = (recs: Recommendation[]) => recs.map((r) => r.id);

describe('createRecommender', () => {
  it('similar: the model list, minus the item itself and items the catalogue cannot show, then trending', async () => {
    const { recommend, errors } = setup();
    const recs = await recommend({ type: 'similar', itemId: 'a' });
    expect(ids(recs)).toEqual(['b', 'c', 'd', 'h', 'g', 'f', 'e']);
    expect(recs.slice(0, 3).map((r) => r.reason)).toEqual([
      { kind: 'similar', itemId: 'a' },
      { kind: 'similar', itemId: 'a' },
      { kind: 'similar', itemId: 'a' },
    ]);
    expect(recs[3].reason).toEqual({ kind: 'trending' });
    // Scores fall all the way down, fallback below the model's.
    for (let i = 1; i < recs.length; i++) expect(recs[i].score).toBeLessThan(recs[i - 1].score);
    expect(recs[0].item).toEqual(catalogItems()[1]);
    expect(ids(await recommend({ type: 'similar', itemId: 'a', limit: 2 }))).toEqual(['b', 'c']);
    expect(errors).toEqual([]);
  });

  it('bought-together: for the page item, and for the whole cart', async () => {
    const one = setup();
    const recs = await one.recommend({ type: 'bought-together', itemId: 'a', limit: 2 });
    expect(ids(recs)).toEqual(['e', 'f']);
    expect(recs[0].reason).toEqual({ kind: 'together', itemId: 'a' });

    // Cart a + b: e (1, from a) and g (1, from b) tie and sort by id; f .5; cart items left out.
    const cart = setup([event('add_to_cart', 'a', 1), event('add_to_cart', 'b', 2)]);
    const fromCart = await cart.recommend({ type: 'bought-together', limit: 3 });
    expect(ids(fromCart)).toEqual(['e', 'g', 'f']);
    expect(fromCart.map((r) => r.reason.itemId)).toEqual(['a', 'b', 'a']);
    expect([...one.errors, ...cart.errors]).toEqual([]);
  });

  it('for-you: neighbours of the history weighted by recency, seen items left out, reason names the item', async () => {
    // History, latest first: d (weight 1), c (0.5).
    // a = 1 x .5 (from d) + .5 x .8 (from c) = .9; b = .5 x .7 = .35; f = .3; e = .5 x .4 = .2.
    const { recommend, errors, train } = setup([
      event('view', 'c', 1000),
      event('view', 'd', 2000),
    ]);
    const recs = await recommend({ type: 'for-you', limit: 4 });
    expect(ids(recs)).toEqual(['a', 'b', 'f', 'e']);
    expect(recs.map((r) => r.score)).toEqual([
      expect.closeTo(0.9, 2),
      expect.closeTo(0.35, 2),
      expect.closeTo(0.3, 2),
      expect.closeTo(0.2, 2),
    ]);
    expect(recs.map((r) => r.reason)).toEqual([
      { kind: 'history', itemId: 'd', via: 'view' },
      { kind: 'history', itemId: 'c', via: 'view' },
      { kind: 'history', itemId: 'd', via: 'view' },
      { kind: 'history', itemId: 'c', via: 'view' },
    ]);
    // On-device learning runs once per change of the events, not per call.
    await recommend({ type: 'for-you' });
    expect(train).toHaveBeenCalledTimes(1);
    // The page's own item is never shown on its page.
    expect(ids(await recommend({ type: 'for-you', itemId: 'a', limit: 4 }))).toEqual([
      'b',
      'f',
      'e',
      'h',
    ]);
    expect(errors).toEqual([]);
  });

  it('for-you without history is trending', async () => {
    const { recommend } = setup();
    const recs = await recommend({ type: 'for-you', limit: 3 });
    expect(ids(recs)).toEqual(['h', 'g', 'f']);
    expect(recs[0].reason).toEqual({ kind: 'trending' });
  });

  it('recently-viewed: latest first, without the page item; trending: popularity after the rules', async () => {
    const { recommend } = setup([
      event('view', 'a', 1),
      event('view', 'b', 2),
      event('add_to_cart', 'e', 3),
      event('view', 'c', 4),
      event('search', undefined, 5, { query: 'socks' }),
    ]);
    const recent = await recommend({ type: 'recently-viewed', itemId: 'c' });
    // The visitor's own history is shown whole: e, now in the cart, was still looked at.
    expect(ids(recent)).toEqual(['e', 'b', 'a']);
    expect(recent[0].reason).toEqual({ kind: 'recent', itemId: 'e', via: 'add_to_cart' });
    expect(recent[1].reason).toEqual({ kind: 'recent', itemId: 'b', via: 'view' });
    expect(ids(await recommend({ type: 'trending', limit: 4 }))).toEqual(['h', 'g', 'f', 'd']);
    expect(ids(await recommend({ type: 'trending', itemId: 'h', limit: 2 }))).toEqual(['g', 'f']);
  });

  it('leaves out cart, purchased, dismissed, out-of-stock and unknown items', async () => {
    const events = [
      event('add_to_cart', 'b', 1),
      event('purchase', undefined, 2, { items: [{ itemId: 'c', quantity: 1 }] }),
      event('dismiss', 'h', 3),
    ];
    const { recommend } = setup(events, { g: { inStock: false } });
    // similar a: b (cart), z (unknown), c (bought) go; d stays; trending fills: h dismissed, g out of stock.
    expect(ids(await recommend({ type: 'similar', itemId: 'a' }))).toEqual(['d', 'f', 'e']);

    const keep = setup(events, { g: { inStock: false } }, { excludePurchased: false });
    expect(ids(await keep.recommend({ type: 'similar', itemId: 'a' }))).toEqual([
      'c',
      'd',
      'f',
      'e',
    ]);
  });

  it('leaves out what other widgets of the page show, and the request rules exclude', async () => {
    const { recommend } = setup();
    expect(ids(await recommend({ type: 'similar', itemId: 'a', limit: 4 }, ['b', 'h']))).toEqual([
      'c',
      'd',
      'g',
      'f',
    ]);
    expect(
      ids(
        await recommend(
          { type: 'similar', itemId: 'a', limit: 3, rules: { exclude: ['c'] } },
          new Set(['b']),
        ),
      ),
    ).toEqual(['d', 'h', 'g']);
    // Other business rules pass through to the engine.
    expect(
      ids(await recommend({ type: 'trending', limit: 3, rules: { category: 'shoes' } })),
    ).toEqual(['d', 'c', 'b']);
  });

  it('a model whose shards fail is reported and the scenario serves trending', async () => {
    const { recommend, errors, server } = setup([event('view', 'c', 1)]);
    server.broken.add(`${M}model-`);
    const recs = await recommend({ type: 'similar', itemId: 'a', limit: 3 });
    expect(ids(recs)).toEqual(['h', 'g', 'f']);
    expect(recs.every((r) => r.reason.kind === 'trending')).toBe(true);
    expect(errors.map((e) => e.code)).toEqual(['MODEL_FETCH']);
    expect(ids(await recommend({ type: 'for-you', limit: 2 }))).toEqual(['h', 'g']);
  });

  it('asks for the shop lists while the catalogue and popularity are still loading', async () => {
    const { service } = setup();
    let release = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    const popularity = service.popularity;
    service.popularity = () => held.then(popularity);
    const lists = vi.spyOn(service, 'lists');
    const catalog = createCatalog(catalogItems(), () => {});
    const entries = catalog.entries;
    catalog.entries = (list) => held.then(() => entries(list));
    const recommend = createRecommender(
      { events: async () => [event('view', 'c', 1)], report: () => {} },
      catalog,
      service,
    );
    const pending = recommend({ type: 'for-you', limit: 2 });
    await vi.waitFor(() => expect(lists).toHaveBeenCalledWith(['c']));
    release();
    expect(ids(await pending)).toEqual(['a', 'b']);
  });

  it('a model that is down entirely is reported, nothing rejects, and it is tried again later', async () => {
    const { recommend, errors, server } = setup();
    server.offline.add(M);
    expect(await recommend({ type: 'trending' })).toEqual([]);
    expect(await recommend({ type: 'similar', itemId: 'a' })).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => isLikewiseError(e, 'MODEL_FETCH'))).toBe(true);
    server.offline.clear();
    expect(ids(await recommend({ type: 'trending', limit: 2 }))).toEqual(['h', 'g']);
  });

  it('takes every rule in its documented shape', async () => {
    const { recommend, errors } = setup();
    const recs = await recommend({
      type: 'trending',
      limit: 3,
      rules: {
        exclude: new Set(['h']),
        cart: ['g'],
        purchased: [],
        dismissed: new Set<string>(),
        excludePurchased: false,
        isKnown: () => true,
        inStock: () => true,
        filter: (id) => id !== 'f',
        category: ['books', 'music'],
        minPrice: 0,
        maxPrice: 1e6,
        boost: { e: 2 },
        maxPerCategory: 50,
      },
    });
    expect(errors).toEqual([]);
    expect(ids(recs)).not.toContain('h');
    expect(ids(recs)).not.toContain('g');
    expect(ids(recs)).not.toContain('f');
  });

  it('serves items named like Object.prototype properties, and never reads a list or boost they inherit', async () => {
    const names = ['constructor', 'toString', '__proto__', 'hasOwnProperty'];
    const events = [...names, 'a'].map((id, i) => event('view', id, i + 1));
    const errors: unknown[] = [];
    const service = modelService(`${M}manifest.json`, {
      fetch: serve({ [M]: tinyModel() }).fetch,
    });
    // Lists that arrive as copies (structured clones: plain objects again).
    const recommend = createRecommender(
      { events: async () => events, report: (e) => errors.push(e) },
      createCatalog(
        [...catalogItems(), ...names.map((id) => ({ id, title: id, url: `/p/${id}` }))],
        (e) => errors.push(e),
      ),
      {
        lists: (x) => service.lists(x).then((l) => structuredClone(l)),
        popularity: () => service.popularity(),
        train: (x) => service.train(x).then((l) => structuredClone(l)),
        config: () => service.config(),
      },
    );
    // A boost object inherits `constructor` and the like: those are no multipliers.
    const recs = await recommend({ type: 'similar', itemId: 'a', limit: 8, rules: { boost: {} } });
    expect(ids(recs)).toEqual(expect.arrayContaining(names));
    expect(recs.every((r) => Number.isFinite(r.score) && r.score > 0)).toBe(true);
    for (const id of names) {
      expect(ids(await recommend({ type: 'similar', itemId: id, limit: 8 })), id).toContain('a');
      expect(await recommend({ type: 'bought-together', itemId: id }), id).toEqual(
        expect.any(Array),
      );
    }
    expect((await recommend({ type: 'for-you', limit: 4 })).length).toBe(4);
    expect(errors).toEqual([]);
  });

  it('warm() starts the catalogue and popularity, and reports a load that fails (no unhandled rejection)', async () => {
    const errors: unknown[] = [];
    const server = serve({ [M]: tinyModel() });
    const boom = new Error('boom');
    const recommend = createRecommender(
      { events: async () => [], report: (e) => errors.push(e) },
      {
        load: () => Promise.reject(boom),
        entries: () => Promise.reject(boom),
        rank: () => Promise.reject(boom),
        add() {},
        get: () => undefined,
      },
      modelService(`${M}manifest.json`, { fetch: server.fetch }),
    );
    recommend.warm();
    await vi.waitFor(() => expect(errors).toEqual([boom]));
    expect(server.calls.some((u) => u.includes('popularity'))).toBe(true);
  });

  describe('keeps what it learnt across requests', () => {
    // History p0..p13, p13 latest: for-you reads the shop's lists of the 12 latest (p13..p2) only.
    const history = () => Array.from({ length: 14 }, (_, i) => event('view', `p${i}`, 1000 + i));

    it('answers each request exactly as a fresh recommender would, whatever came before', async () => {
      const shop = longShop();
      const events = history();
      const kept = shop.create(events);
      const requests = [
        { type: 'for-you', limit: 20 },
        // p0 and p1 are in the history but not among for-you's anchors: their lists must not leak in.
        { type: 'similar', itemId: 'p0', limit: 5 },
        { type: 'bought-together', itemId: 'p1', limit: 5 },
        { type: 'for-you', limit: 20 },
        { type: 'similar', itemId: 'p13', limit: 5 },
        { type: 'for-you', limit: 20, rules: { exclude: ['x13'] } },
        { type: 'similar', itemId: 'p0', limit: 5 },
        { type: 'for-you', limit: 20 },
      ] as const;
      for (const request of requests) {
        const got = await kept.recommend(request);
        expect(got).toEqual(await shop.create(events).recommend(request));
      }
      // The pinned answer: the anchors' own items first, reasons naming them; x1, x0 only as trending.
      const forYou = await kept.recommend({ type: 'for-you', limit: 20 });
      expect(ids(forYou).slice(0, 12)).toEqual(Array.from({ length: 12 }, (_, i) => `x${13 - i}`));
      expect(forYou[0].reason).toEqual({ kind: 'history', itemId: 'p13', via: 'view' });
      expect(forYou.filter((r) => r.id === 'x0' || r.id === 'x1').map((r) => r.reason)).toEqual(
        forYou.filter((r) => r.id === 'x0' || r.id === 'x1').map(() => ({ kind: 'trending' })),
      );
      expect(kept.errors).toEqual([]);
    });

    it('asks the model only about items it has not asked about, and trains once per change of the events', async () => {
      const kept = longShop().create(history());
      await kept.recommend({ type: 'for-you' });
      await kept.recommend({ type: 'for-you' });
      await kept.recommend({ type: 'similar', itemId: 'p13' });
      await kept.recommend({ type: 'bought-together', itemId: 'p13' });
      await kept.recommend({ type: 'similar', itemId: 'p0' });
      await kept.recommend({ type: 'similar', itemId: 'p0' });
      expect(kept.lists.mock.calls).toEqual([
        [Array.from({ length: 12 }, (_, i) => `p${13 - i}`)],
        [['p0']],
      ]);
      expect(kept.train).toHaveBeenCalledTimes(1);
    });

    it('follows new events: new history, new device neighbours, same answer as a fresh page', async () => {
      const shop = longShop();
      const events = history();
      const kept = shop.create(events);
      const before = await kept.recommend({ type: 'for-you', limit: 20 });
      await kept.recommend({ type: 'similar', itemId: 'p15' });
      // p15 viewed, then p0 again: both now anchors, p2 and p3 no longer.
      events.push(event('view', 'p15', 5000), event('view', 'p0', 6000));
      const after = await kept.recommend({ type: 'for-you', limit: 20 });
      expect(after).toEqual(await shop.create(events).recommend({ type: 'for-you', limit: 20 }));
      expect(after).not.toEqual(before);
      expect(after[0]).toMatchObject({ id: 'x0', reason: { kind: 'history', itemId: 'p0' } });
      expect(ids(after)).toContain('x15');
      expect(kept.train).toHaveBeenCalledTimes(2);
      // p15's lists were kept from the similar request: only p0 is asked for.
      expect(kept.lists.mock.calls.at(-1)).toEqual([['p0']]);
    });

    it('does not keep a failed answer: once the model is back, its lists are served', async () => {
      const { recommend, errors, server } = setup([event('view', 'c', 1)]);
      server.broken.add(`${M}model-`);
      expect(ids(await recommend({ type: 'similar', itemId: 'a', limit: 3 }))).toEqual([
        'h',
        'g',
        'f',
      ]);
      expect(ids(await recommend({ type: 'for-you', limit: 2 }))).toEqual(['h', 'g']);
      server.broken.clear();
      expect(ids(await recommend({ type: 'similar', itemId: 'a', limit: 3 }))).toEqual([
        'b',
        'c',
        'd',
      ]);
      // For-you (history c): a .8, b .7, e .4 from c's list, as on a fresh page.
      expect(ids(await recommend({ type: 'for-you', limit: 3 }))).toEqual(['a', 'b', 'e']);
      expect(errors.map((e) => e.code)).toEqual(['MODEL_FETCH', 'MODEL_FETCH']);
    });

    it('keeps at most 256 items of lists past a change of the events', async () => {
      const events = [event('view', 'a', 1)];
      const { recommend, service } = setup(events);
      const lists = vi.spyOn(service, 'lists');
      for (let i = 0; i <= 256; i++) await recommend({ type: 'similar', itemId: `n${i}` });
      await recommend({ type: 'similar', itemId: 'a' });
      expect(lists).toHaveBeenCalledTimes(258);
      // Same events: everything kept so far is still served from memory.
      await recommend({ type: 'similar', itemId: 'n0' });
      expect(lists).toHaveBeenCalledTimes(258);
      events.push(event('view', 'b', 2));
      expect(ids(await recommend({ type: 'similar', itemId: 'a', limit: 3 }))).toEqual([
        'b',
        'c',
        'd',
      ]);
      expect(lists).toHaveBeenCalledTimes(259);
      expect(lists.mock.calls.at(-1)).toEqual([['a']]);
    });
  });
});
