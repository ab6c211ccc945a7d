import { describe, expect, it } from 'vitest';
import type { LikewiseError } from '../../src/errors';
import { createCatalog } from '../../src/model/createCatalog';
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
});
