// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { LikewiseError } from '../../src/errors';
import { catalogShardFile } from '../../src/model/catalogFormat';
import { createCatalog } from '../../src/model/createCatalog';
import { encodeCatalog } from '../../src/model/encodeCatalog';
import { encodeModel } from '../../src/model/encodeModel';
import { shardOf } from '../../src/model/shardOf';
import { failOnUnhandled } from '../support/fakeStores';
import { serve } from './fixtures';

failOnUnhandled();

const BASE = 'https://shop.test/category/';

function setup(source: Parameters<typeof createCatalog>[0], routes = {}) {
  const errors: LikewiseError[] = [];
  const server = serve(routes);
  const catalog = createCatalog(source, (e) => errors.push(e), {
    fetch: server.fetch,
    base: BASE,
  });
  return { catalog, errors, server };
}

const good = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: `Item ${id}`,
  url: `https://shop.test/p/${id}`,
  ...extra,
});

describe('createCatalog', () => {
  it('loads an array option: entries by id, get() after load', async () => {
    const { catalog, errors } = setup([good('a'), good('b', { price: 12.5, currency: 'eur' })]);
    expect(catalog.get('a')).toBeUndefined();
    const items = await catalog.load();
    expect([...items.keys()]).toEqual(['a', 'b']);
    expect(catalog.get('b')).toEqual({
      id: 'b',
      title: 'Item b',
      url: 'https://shop.test/p/b',
      price: 12.5,
      currency: 'EUR',
    });
    expect(errors).toEqual([]);
  });

  it('drops entries without a usable id, title or http(s) url, with one report and the count', async () => {
    const { catalog, errors } = setup([
      good('keep'),
      { title: 'no id', url: '/p/x' },
      good(''),
      { ...good('x'), id: 42 },
      good('x'.repeat(257)),
      { id: 'no-title', url: '/p/y' },
      { ...good('js'), url: 'javascript:alert(1)' },
      { ...good('data'), url: 'data:text/html,<script>alert(1)</script>' },
      null,
      'sku-1',
    ]);
    const items = await catalog.load();
    expect([...items.keys()]).toEqual(['keep']);
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe('INVALID_INPUT');
    expect(errors[0].message).toBe(
      'Catalog option: dropped 9 entries without a valid id, title or http(s) url.',
    );
  });

  it('keeps an item whose image is unsafe, without the image; cleans the other fields', async () => {
    const { catalog, errors } = setup([
      {
        ...good('a'),
        url: '../p/a?ref=cat',
        image: 'javascript:alert(1)',
        price: -1,
        currency: 'euro',
        inStock: 'no',
        category: 'shoes',
        onclick: 'alert(1)',
      },
      { ...good('b'), image: '/img/b.jpg', price: 0, inStock: false },
    ]);
    const items = await catalog.load();
    expect(items.get('a')).toEqual({
      id: 'a',
      title: 'Item a',
      url: 'https://shop.test/p/a?ref=cat',
      category: 'shoes',
    });
    expect(items.get('b')).toEqual({
      ...good('b'),
      image: 'https://shop.test/img/b.jpg',
      price: 0,
      inStock: false,
    });
    expect(errors).toEqual([]);
  });

  it('drops an entry whose fields cannot be read, keeps the rest, and never rejects', async () => {
    const trap = {
      ...good('t'),
      get url(): string {
        throw new Error('getter');
      },
    };
    const { catalog, errors } = setup([good('a'), trap, good('b')]);
    expect([...(await catalog.load()).keys()]).toEqual(['a', 'b']);
    expect(errors.map((e) => e.message)).toEqual([
      'Catalog option: dropped 1 entries without a valid id, title or http(s) url.',
    ]);
    catalog.add(trap);
    expect(catalog.get('t')).toBeUndefined();
  });

  it('works on a page that added enumerable properties to Object.prototype', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.polluted = 'x';
    try {
      const { catalog, errors } = setup([good('a')]);
      expect((await catalog.load()).get('a')).toEqual(good('a'));
      expect(errors).toEqual([]);
    } finally {
      delete proto.polluted;
    }
  });

  it('fetches a URL source once, on the first load, and never at creation', async () => {
    const url = 'https://shop.test/catalog.json';
    const { catalog, server, errors } = setup(url, { [url]: [good('a'), good('b')] });
    expect(server.calls).toEqual([]);
    const [one, two] = await Promise.all([catalog.load(), catalog.load()]);
    expect(one).toBe(two);
    await catalog.load();
    expect(server.calls).toEqual([url]);
    expect([...one.keys()]).toEqual(['a', 'b']);
    expect(catalog.get('a')?.url).toBe('https://shop.test/p/a');
    expect(errors).toEqual([]);
  });

  it('JSON-LD items join the catalogue but never override the shop entries', async () => {
    const url = 'https://shop.test/catalog.json';
    const { catalog, errors } = setup(url, {
      [url]: [good('a', { price: 10 }), good('b')],
    });
    // Found on the page before the catalogue arrived.
    catalog.add({ ...good('a'), title: 'Page title', price: 99, image: '/img/a.jpg' });
    catalog.add(good('page-only'));
    const items = await catalog.load();
    expect(items.get('a')).toEqual({
      ...good('a', { price: 10 }),
      image: 'https://shop.test/img/a.jpg',
    });
    // Found after the load: still completes, never overrides.
    catalog.add({ ...good('b'), title: 'Other', image: '/img/b.jpg' });
    expect(catalog.get('b')).toEqual({ ...good('b'), image: 'https://shop.test/img/b.jpg' });
    expect(catalog.get('page-only')?.title).toBe('Item page-only');
    // Unusable page data is ignored, silently (the page is not the shop's feed).
    catalog.add({ ...good('bad'), url: 'javascript:void 0' });
    catalog.add(undefined);
    expect(catalog.get('bad')).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('a network failure is reported and leaves an empty catalogue; never rejects, never refetches', async () => {
    const url = 'https://shop.test/catalog.json';
    const { catalog, server, errors } = setup(url, { [url]: [good('a')] });
    server.offline.add(url);
    const items = await catalog.load();
    expect(items.size).toBe(0);
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['NETWORK', `Cannot load catalog ${url}: Failed to fetch`],
    ]);
    server.offline.clear();
    expect((await catalog.load()).size).toBe(0);
    expect(server.calls).toEqual([url]);
  });

  it('reports an HTTP error, a body that is not JSON and JSON that is not an array', async () => {
    const url = 'https://shop.test/catalog.json';
    const cases: [Record<string, unknown>, string, string][] = [
      [{}, 'NETWORK', `Cannot load catalog ${url}: HTTP 404`],
      [{ [url]: '{"items": [' }, 'NETWORK', `Cannot load catalog ${url}: `],
      [{ [url]: { items: [good('a')] } }, 'INVALID_INPUT', `Catalog ${url} is not a JSON array.`],
    ];
    for (const [routes, code, message] of cases) {
      const { catalog, errors } = setup(url, routes);
      expect((await catalog.load()).size).toBe(0);
      expect(errors).toHaveLength(1);
      expect(errors[0].code).toBe(code);
      expect(errors[0].message.startsWith(message)).toBe(true);
    }
  });

  it('without a source only page items are known', async () => {
    const { catalog, errors, server } = setup(undefined);
    catalog.add(good('a'));
    expect([...(await catalog.load()).keys()]).toEqual(['a']);
    expect(server.calls).toEqual([]);
    expect(errors).toEqual([]);
  });

  describe('a whole catalogue, checked on demand', () => {
    /** 300 entries whose `url` counts its reads: an entry is checked when its url is read. */
    const counted = (bad: Record<string, string> = {}) => {
      const reads = new Map<string, number>();
      const list = Array.from({ length: 300 }, (_, i) => {
        const id = `sku-${i}`;
        return {
          id,
          title: `Item ${id}`,
          get url() {
            reads.set(id, (reads.get(id) ?? 0) + 1);
            return bad[id] ?? `/p/${id}`;
          },
        };
      });
      return { list, checked: () => [...reads.keys()].sort(), reads };
    };
    /** Scores like the engine: candidates in order, those the catalogue does not know left out. */
    const scoreOf = (candidates: string[]) => (rules: { catalog?: unknown; limit?: number }) =>
      candidates
        .filter((id) => !(rules.catalog instanceof Map) || rules.catalog.has(id))
        .slice(0, rules.limit)
        .map((id, i) => ({ id, score: 1 / (i + 1), reason: { kind: 'trending' as const } }));

    it('checks only the entries a ranking asks for before it answers, the rest when every entry is asked for', async () => {
      const { list, checked, reads } = counted();
      const { catalog, errors } = setup(list);
      const picks = ['sku-7', 'sku-120', 'sku-299'];
      const [items, scored] = await catalog.rank(scoreOf(picks), { limit: 3 });
      expect(scored.map((s) => s.id)).toEqual(picks);
      expect(checked()).toEqual([...picks].sort());
      expect(items.get('sku-120')?.url).toBe('https://shop.test/p/sku-120');
      // Not checked, so not known yet: the page reads only checked entries.
      expect(catalog.get('sku-8')).toBeUndefined();
      expect((await catalog.entries(['sku-8'])).get('sku-8')?.title).toBe('Item sku-8');
      expect(checked()).toHaveLength(4);
      // Every entry, each checked once.
      const all = await catalog.load();
      expect(all.size).toBe(300);
      expect([...reads.values()].every((n) => n === 1)).toBe(true);
      expect(errors).toEqual([]);
    });

    it('a bad entry asked for is dropped and reported then; the rest are reported when checked', async () => {
      const { list } = counted({
        'sku-1': 'javascript:alert(1)',
        'sku-200': 'data:,x',
        'sku-201': '',
      });
      const { catalog, errors } = setup(list);
      // The bad candidate is left out and the next one takes its place.
      const [, scored] = await catalog.rank(scoreOf(['sku-0', 'sku-1', 'sku-2']), { limit: 2 });
      expect(scored.map((s) => s.id)).toEqual(['sku-0', 'sku-2']);
      expect(errors.map((e) => [e.code, e.message])).toEqual([
        [
          'INVALID_INPUT',
          'Catalog option: dropped 1 entries without a valid id, title or http(s) url.',
        ],
      ]);
      // Asked for again: dropped already, not reported twice.
      await catalog.entries(['sku-1']);
      expect(errors).toHaveLength(1);
      const all = await catalog.load();
      expect(all.size).toBe(297);
      expect(all.has('sku-1') || all.has('sku-200') || all.has('sku-201')).toBe(false);
      expect(errors.map((e) => e.message)).toEqual([
        'Catalog option: dropped 1 entries without a valid id, title or http(s) url.',
        'Catalog option: dropped 2 entries without a valid id, title or http(s) url.',
      ]);
    });

    it('entries with the same id merge in order, as when the whole catalogue was checked at once', async () => {
      const { catalog, errors } = setup([
        good('a', { price: 1, category: 'x' }),
        good('a', { price: 2 }),
        { ...good('a'), url: 'javascript:void 0', price: 3 },
      ]);
      const items = await catalog.entries(['a']);
      expect(items.get('a')).toEqual(good('a', { price: 2, category: 'x' }));
      expect(errors.map((e) => e.message)).toEqual([
        'Catalog option: dropped 1 entries without a valid id, title or http(s) url.',
      ]);
    });
  });

  describe('shards beside the model', () => {
    const M = 'https://shop.test/model/';
    const entries = Array.from({ length: 100 }, (_, i) => good(`sku-${i}`, { price: i }));
    const catalogFiles = encodeCatalog(entries, { entriesPerShard: 10 });
    const model = encodeModel({
      neighbours: {
        itemIds: ['sku-0'],
        offsets: new Uint32Array([0, 0]),
        indices: new Uint32Array(0),
        scores: new Float32Array(0),
      },
      k: 1,
      similarity: 'cosine',
    });
    const manifest = { ...model.manifest, catalog: catalogFiles.section };
    const setupShards = (files = catalogFiles.files) => {
      const errors: LikewiseError[] = [];
      const server = serve({ [M]: files, [`${M}manifest.json`]: manifest });
      const catalog = createCatalog(undefined, (e) => errors.push(e), {
        fetch: server.fetch,
        base: BASE,
        model: `${M}manifest.json`,
      });
      return { catalog, errors, server };
    };

    it('fetches only the shards of the ids asked for, each once', async () => {
      const { catalog, errors, server } = setupShards();
      const ids = ['sku-3', 'sku-42', 'sku-77'];
      const [items] = await Promise.all([catalog.entries(ids), catalog.entries(['sku-3'])]);
      for (const id of ids) expect(items.get(id)).toEqual(good(id, { price: Number(id.slice(4)) }));
      const shards = new Set(ids.map((id) => shardOf(id, catalogFiles.section.shards)));
      expect(server.calls.filter((u) => u.endsWith('manifest.json'))).toHaveLength(1);
      expect(server.calls.filter((u) => u.includes('/catalog-')).sort()).toEqual(
        [...shards].map((s) => `${M}${catalogFiles.section.dir}${s}.json`).sort(),
      );
      // Entries that came with those shards are known too; others are not loaded.
      expect(items.size).toBeLessThan(entries.length);
      await catalog.entries(ids);
      expect(server.calls.filter((u) => u.includes('/catalog-'))).toHaveLength(shards.size);
      expect(errors).toEqual([]);
    });

    it('reports a corrupt shard as INVALID_MODEL and still serves the other shards and page items', async () => {
      const bad = catalogShardFile(catalogFiles.section, 'sku-3');
      const files = catalogFiles.files.map((f) =>
        f.name === bad ? { ...f, bytes: f.bytes.subarray(0, f.bytes.length - 3) } : f,
      );
      const { catalog, errors } = setupShards(files);
      catalog.add(good('sku-3', { title: 'From the page' }));
      const other = entries.find((e) => catalogShardFile(catalogFiles.section, e.id) !== bad)!;
      const items = await catalog.entries(['sku-3', other.id]);
      expect(items.get('sku-3')?.title).toBe('From the page');
      expect(items.get(other.id)).toEqual(other);
      expect(errors.map((e) => e.code)).toEqual(['INVALID_MODEL']);
      expect(errors[0].message).toMatch(
        /^File https:\/\/shop\.test\/model\/catalog-[0-9a-f]{8}\/\d+\.json has \d+ bytes, expected \d+\.$/,
      );
    });

    it('a shard that cannot be fetched is reported and fetched again next time', async () => {
      const { catalog, errors, server } = setupShards();
      const url = `${M}${catalogShardFile(catalogFiles.section, 'sku-5')}`;
      server.offline.add(url);
      expect((await catalog.entries(['sku-5'])).get('sku-5')).toBeUndefined();
      expect(errors.map((e) => [e.code, e.message])).toEqual([
        ['MODEL_FETCH', `Cannot fetch catalog file ${url}.`],
      ]);
      server.offline.clear();
      expect((await catalog.entries(['sku-5'])).get('sku-5')?.title).toBe('Item sku-5');
    });

    it("rank: loads the candidates' shards, and the reason item's for a widget that shows reasons, unless the page gave it", async () => {
      // Candidates in shards of their own, none shared with the reason item.
      const section = catalogFiles.section;
      const reasonId = 'sku-0';
      const picks = entries
        .map((e) => e.id)
        .filter((id) => catalogShardFile(section, id) !== catalogShardFile(section, reasonId))
        .filter(
          (id, i, all) =>
            all.findIndex((o) => catalogShardFile(section, o) === catalogShardFile(section, id)) ===
            i,
        )
        .slice(0, 3);
      const score = () =>
        picks.map((id, i) => ({
          id,
          score: 3 - i,
          reason: { kind: 'similar' as const, itemId: reasonId },
        }));
      const shardsAsked = (calls: string[]) => calls.filter((u) => u.includes('/catalog-')).sort();
      const wanted = (ids: string[]) =>
        ids.map((id) => `${M}${catalogShardFile(section, id)}`).sort();

      // Reasons not shown (the default): the candidates' shards alone.
      const plain = setupShards();
      const [shown, ranked] = await plain.catalog.rank(score, { limit: 3 });
      expect(ranked.map((s) => s.id)).toEqual(picks);
      expect(shown.has(reasonId)).toBe(false);
      expect(shardsAsked(plain.server.calls)).toEqual(wanted(picks));

      const cold = setupShards();
      const [items, scored] = await cold.catalog.rank(score, { limit: 3 }, true);
      expect(scored.map((s) => s.id)).toEqual(picks);
      expect(items.get(reasonId)?.title).toBe('Item sku-0');
      expect(shardsAsked(cold.server.calls)).toEqual(wanted([...picks, reasonId]));

      // The product page's own item, from its JSON-LD: its title will do for the reason line.
      const page = setupShards();
      page.catalog.add(good(reasonId, { title: 'From the page' }));
      await page.catalog.rank(score, { limit: 3 }, true);
      expect(shardsAsked(page.server.calls)).toEqual(wanted(picks));
      expect(page.catalog.get(reasonId)?.title).toBe('From the page');
      expect([...plain.errors, ...cold.errors, ...page.errors]).toEqual([]);
    });

    it('a model without a catalogue leaves the page items only, silently', async () => {
      const errors: LikewiseError[] = [];
      const server = serve({ [`${M}manifest.json`]: model.manifest });
      const catalog = createCatalog(undefined, (e) => errors.push(e), {
        fetch: server.fetch,
        base: BASE,
        model: `${M}manifest.json`,
      });
      catalog.add(good('a'));
      expect([...(await catalog.entries(['a', 'b'])).keys()]).toEqual(['a']);
      expect(errors).toEqual([]);
    });
  });

  describe('a product API', () => {
    /** The ids of a lookup URL: split on the commas, then decoded. */
    const idsOf = (url: string) =>
      new URL(url).search.replace('?ids=', '').split(',').map(decodeURIComponent);
    /** A fake API answering `?ids=` from `known`, recording each URL. */
    function api(known: string[], status = 200) {
      const calls: string[] = [];
      const fetch = (async (input: string | URL) => {
        const url = new URL(String(input));
        calls.push(url.href);
        await new Promise((r) => setTimeout(r, 1));
        if (status !== 200) return new Response('down', { status });
        const ids = idsOf(url.href);
        return Response.json(ids.filter((id) => known.includes(id)).map((id) => good(id)));
      }) as unknown as typeof globalThis.fetch;
      return { calls, fetch };
    }

    it('asks a URL template for the ids in batches of 50, comma-joined and URL-encoded, each id once', async () => {
      const known = [...Array.from({ length: 60 }, (_, i) => `p${i}`), 'a,b', 'ü/x'];
      const server = api(known);
      const errors: LikewiseError[] = [];
      const catalog = createCatalog('/api/products?ids={ids}', (e) => errors.push(e), {
        fetch: server.fetch,
        base: BASE,
      });
      const first = known.slice(0, 30);
      const [items] = await Promise.all([
        catalog.entries([...first, 'a,b', 'missing']),
        catalog.entries([...known.slice(20), 'missing']),
      ]);
      expect(server.calls).toHaveLength(2);
      expect(server.calls[0]).toMatch(/^https:\/\/shop\.test\/api\/products\?ids=p0,p1,/);
      expect(server.calls.join(' ')).toContain('a%2Cb');
      expect(server.calls.join(' ')).toContain('%C3%BC%2Fx');
      const asked = server.calls.flatMap(idsOf);
      expect(asked.length).toBe(new Set(asked).size);
      expect(asked.length).toBe(known.length + 1);
      for (const id of known) expect(items.get(id)?.title).toBe(`Item ${id}`);
      // Known and unknown ids are not asked again.
      await catalog.entries(['p1', 'missing', 'a,b']);
      expect(server.calls).toHaveLength(2);
      expect(errors).toEqual([]);
    });

    it('reports a failing API to onError, keeps the page items, and asks again later', async () => {
      const server = api(['a'], 503);
      const errors: LikewiseError[] = [];
      const catalog = createCatalog('https://api.test/p?ids={ids}', (e) => errors.push(e), {
        fetch: server.fetch,
        base: BASE,
      });
      catalog.add(good('page'));
      const items = await catalog.entries(['a', 'page']);
      expect([...items.keys()]).toEqual(['page']);
      expect(errors.map((e) => [e.code, e.message])).toEqual([
        ['NETWORK', 'Cannot load catalog https://api.test/p?ids={ids}: HTTP 503'],
      ]);
      await catalog.entries(['a']);
      expect(server.calls).toEqual(['https://api.test/p?ids=a,page', 'https://api.test/p?ids=a']);
    });

    it('calls a lookup function with the ids, checks what it answers, and reports its failures', async () => {
      const asked: string[][] = [];
      const errors: LikewiseError[] = [];
      let fail = false;
      const catalog = createCatalog(
        async (ids) => {
          asked.push(ids);
          if (fail) throw new Error('api down');
          return [...ids.map((id) => good(id)), { id: 'evil', title: 'x', url: 'javascript:1' }];
        },
        (e) => errors.push(e),
        { base: BASE },
      );
      const items = await catalog.entries(['a', 'b', 'a']);
      expect(asked).toEqual([['a', 'b']]);
      expect(items.get('a')).toEqual(good('a'));
      expect(items.has('evil')).toBe(false);
      expect(errors.map((e) => e.message)).toEqual([
        'Catalog lookup: dropped 1 entries without a valid id, title or http(s) url.',
      ]);
      fail = true;
      await catalog.entries(['c']);
      expect(errors.map((e) => [e.code, e.message])[1]).toEqual([
        'NETWORK',
        'Cannot load catalog lookup: api down',
      ]);
      expect(catalog.get('c')).toBeUndefined();
    });
  });
});
