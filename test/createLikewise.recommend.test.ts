// @vitest-environment happy-dom
// The integration layer end to end, with the loader the public entry gives it
// (test/support/withExtras.ts: the on-demand parts load through a real dynamic
// import): fake-indexeddb, a fake fetch serving the tiny shop's catalogue and a
// real encoded model (test/model/fixtures.ts), and a controllable
// IntersectionObserver.
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createLikewise,
  type Likewise,
  type LikewiseDeps,
  type LikewiseOptions,
  type LikewiseParts,
} from '../src/createLikewise';
import type { LikewiseError } from '../src/errors';
import { catalogShardFile } from '../src/model/catalogFormat';
import { encodeCatalog } from '../src/model/encodeCatalog';
import { type Manifest, shardFile } from '../src/model/modelFormat';
import { shardOf } from '../src/model/shardOf';
import { createEventStore } from '../src/store/createEventStore';
import type { LikewiseEvent, Recommendation } from '../src/types';
import { catalogItems, serve, tinyModel } from './model/fixtures';
import { failOnUnhandled, setHtml } from './support/fakeStores';
import { loadPart } from './support/parts';
import { FakeIntersectionObserver, FakeIO } from './support/widgetFakes';
import { withExtras } from './support/withExtras';

failOnUnhandled();

const CATALOG = 'https://shop.test/catalog.json';
const M = 'https://cdn.test/m/';
const PROFILE = 'https://shop.test/api/history';

const running: Likewise[] = [];
afterEach(() => {
  for (const lw of running.splice(0)) lw.destroy();
  // The widgets' prefetch hint (likewise-<site>.recent) is the page's localStorage.
  localStorage.clear();
  document.body.replaceChildren();
  FakeIntersectionObserver.reset();
  vi.useRealTimers();
});

function setup(
  options: Partial<LikewiseOptions> = {},
  routes: Record<string, unknown> = {},
  deps: LikewiseDeps = {},
) {
  const factory = new IDBFactory();
  const server = serve({ [CATALOG]: catalogItems(), [M]: tinyModel(), ...routes });
  const errors: LikewiseError[] = [];
  let clock = 1_700_000_000_000;
  const lw = createLikewise(
    {
      site: 'shop',
      catalog: CATALOG,
      model: `${M}manifest.json`,
      onError: (e) => errors.push(e),
      ...options,
    },
    withExtras({
      indexedDB: factory,
      fetch: server.fetch,
      IntersectionObserver: FakeIO,
      // One second between events: one session, and a strict time order.
      now: () => (clock += 1000),
      ...deps,
    }),
  );
  running.push(lw);
  return { lw, errors, server, factory };
}

const ids = (recs: Recommendation[]) => recs.map((r) => r.id);
/** Patient: two cores are shared by the whole suite, so a second can pass before IndexedDB answers. */
const waitFor = <T>(check: () => T | Promise<T>) =>
  vi.waitFor(check, { timeout: 10_000, interval: 5 });

/** A container in the page. */
function container(): HTMLElement {
  const el = document.createElement('div');
  document.body.append(el);
  return el;
}

/**
 * Brings every widget near the viewport (the lazy observers fire), in
 * creation order, once a widget waits for it (the widget part loads on
 * demand; widgets rendered together start together).
 */
async function reveal() {
  const lazy = () =>
    FakeIntersectionObserver.instances.filter((io) => io.options.rootMargin !== undefined);
  await waitFor(() => expect(lazy().some((io) => io.targets.size > 0)).toBe(true));
  for (const io of FakeIntersectionObserver.instances)
    if (io.options.rootMargin !== undefined) for (const t of [...io.targets]) io.show(t, 1);
}

/** The rendered items of the widget in `el`, once it has loaded. */
async function rendered(el: Element): Promise<HTMLElement[]> {
  await waitFor(() => {
    expect(el.querySelector('.likewise-host')).not.toBeNull();
    expect(el.classList.contains('likewise--loading')).toBe(false);
  });
  const root = el.querySelector('.likewise-host')!.shadowRoot!;
  return [...root.querySelectorAll<HTMLElement>('[data-likewise-item]')];
}
const itemIds = (lis: HTMLElement[]) => lis.map((li) => li.getAttribute('data-likewise-item'));

/** A click that bubbles like a real one, without letting happy-dom navigate. */
function click(target: Element) {
  target.addEventListener('click', (e) => e.preventDefault(), { once: true });
  target.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
}

/** `li` comes half into view, on fake timers that the caller advances and ends. */
function show(li: Element) {
  const io = FakeIntersectionObserver.instances.find(
    (o) => o.options.threshold === 0.5 && o.targets.has(li),
  )!;
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  io.show(li, 1);
}

/** `li` at least half visible for a second: one impression. */
function see(li: Element) {
  show(li);
  vi.advanceTimersByTime(1000);
  vi.useRealTimers();
}

async function eventsOf(lw: Likewise, type: LikewiseEvent['type']) {
  return (await lw.events()).filter((e) => e.type === type);
}

/** Every key and value of every database the factory holds, as text. */
async function dumpIndexedDB(factory: IDBFactory): Promise<string> {
  const request = <T>(r: IDBRequest<T>) =>
    new Promise<T>((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
  const out: unknown[] = [];
  for (const { name } of await factory.databases()) {
    const db = await request(factory.open(name!));
    for (const store of [...db.objectStoreNames]) {
      const s = db.transaction(store, 'readonly').objectStore(store);
      out.push(name, store, await request(s.getAllKeys()), await request(s.getAll()));
    }
    db.close();
  }
  return JSON.stringify(out);
}

describe('createLikewise: recommend', () => {
  it('a widget that shows reasons names the item each comes from (its entry is asked for then only)', async () => {
    // The whole catalogue's entries are checked when asked for: the reason
    // line has a title only because the widget asked for the item it names.
    const { lw, errors } = setup();
    await lw.track({ type: 'view', itemId: 'c' });
    await lw.track({ type: 'view', itemId: 'd' });
    const el = container();
    lw.render(el, { type: 'for-you', limit: 2, showReason: true });
    await reveal();
    const lis = await rendered(el);
    expect(lis.map((li) => li.querySelector('.likewise__reason')?.textContent)).toEqual([
      'Because you viewed Item D',
      'Because you viewed Item C',
    ]);
    expect(errors).toEqual([]);
  });

  it('for-you reflects the views tracked on this device', async () => {
    const { lw, errors } = setup();
    expect(ids(await lw.recommend({ type: 'for-you', limit: 4 }))).toEqual(['h', 'g', 'f', 'e']);
    await lw.track({ type: 'view', itemId: 'c' });
    await lw.track({ type: 'view', itemId: 'd' });
    const recs = await lw.recommend({ type: 'for-you', limit: 4 });
    expect(ids(recs)).toEqual(['a', 'b', 'f', 'e']);
    expect(recs[0].reason).toEqual({ kind: 'history', itemId: 'd', via: 'view' });
    expect(recs[0].item).toEqual(catalogItems()[0]);
    expect(errors).toEqual([]);
  });

  it('throws misuse at once; a model that cannot load is reported and trending served', async () => {
    const { lw, errors } = setup({ model: 'https://cdn.test/gone/manifest.json' });
    expect(() => lw.recommend({ type: 'x' as never })).toThrow(
      'recommend: type must be one of similar, bought-together, for-you, recently-viewed, trending, got "x".',
    );
    expect(() => lw.recommend({ type: 'similar' })).toThrow(
      'recommend: itemId must be an item id, got undefined.',
    );
    expect(() => lw.recommend({ type: 'trending', limit: 99 })).toThrow(
      'recommend: limit must be an integer from 1 to 50, got 99.',
    );
    expect(await lw.recommend({ type: 'similar', itemId: 'a' })).toEqual([]);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.code === 'MODEL_FETCH')).toBe(true);
  });
});

describe('createLikewise: render', () => {
  it('renders links once near the viewport; clicks and impressions are recorded with rec, pos, scenario, widget', async () => {
    const { lw, errors, server } = setup();
    const el = container();
    const onClick = vi.fn();
    lw.render(el, { type: 'similar', itemId: 'a', limit: 3, widget: 'pdp-similar', onClick });
    // What every widget needs starts at once; the item's shard only once the widget nears the viewport.
    await new Promise((r) => setTimeout(r, 50));
    expect(server.calls.filter((u) => /shard/.test(u))).toEqual([]);
    expect(server.calls).toEqual(expect.arrayContaining([CATALOG, `${M}manifest.json`]));
    await reveal();
    const lis = await rendered(el);
    expect(itemIds(lis)).toEqual(['b', 'c', 'd']);
    const links = lis.map((li) => li.querySelector('a')!);
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://shop.test/p/b',
      'https://shop.test/p/c',
      'https://shop.test/p/d',
    ]);
    expect(links[1].textContent).toContain('Item C');
    const listId = el
      .querySelector('.likewise-host')!
      .shadowRoot!.querySelector('[data-likewise-rec]')!
      .getAttribute('data-likewise-rec')!;

    click(links[1]);
    await waitFor(async () => expect(await eventsOf(lw, 'click')).toHaveLength(1));
    const [clicked] = await eventsOf(lw, 'click');
    expect(clicked).toMatchObject({
      itemId: 'c',
      rec: listId,
      pos: 1,
      scenario: 'similar',
      widget: 'pdp-similar',
    });
    expect(onClick).toHaveBeenCalledWith(expect.objectContaining({ id: 'c' }), 1, listId);

    see(lis[0]);
    await waitFor(async () => expect(await eventsOf(lw, 'impression')).toHaveLength(1));
    expect((await eventsOf(lw, 'impression'))[0]).toMatchObject({
      itemId: 'b',
      rec: listId,
      pos: 0,
      scenario: 'similar',
      widget: 'pdp-similar',
    });
    expect(errors).toEqual([]);
  });

  it('forget(): an item in view before the erasure records no impression after it; a widget rendered afterwards does', async () => {
    const { lw, errors } = setup();
    const el = container();
    lw.render(el, { type: 'similar', itemId: 'a', limit: 3 });
    await reveal();
    show((await rendered(el))[0]);
    vi.advanceTimersByTime(500);
    // The shopper clears the history while the item is half-way to an impression.
    const forgetting = lw.forget();
    vi.advanceTimersByTime(1000);
    vi.useRealTimers();
    await forgetting;
    await new Promise((r) => setTimeout(r, 20));
    expect(await eventsOf(lw, 'impression')).toEqual([]);

    const again = container();
    lw.render(again, { type: 'similar', itemId: 'a', limit: 3 });
    await reveal();
    see((await rendered(again))[0]);
    await waitFor(async () => expect(await eventsOf(lw, 'impression')).toHaveLength(1));
    expect(errors).toEqual([]);
  });

  it('a dismissed item is recorded, removed, and not recommended again', async () => {
    const { lw, errors } = setup();
    const el = container();
    lw.render(el, { type: 'similar', itemId: 'a', limit: 3, dismissible: true });
    await reveal();
    const lis = await rendered(el);
    click(lis[0].querySelector('.likewise__dismiss')!);
    // The slot refills with the next recommendation.
    await waitFor(async () => expect(itemIds(await rendered(el))).toEqual(['c', 'd', 'h']));
    await waitFor(async () => expect(await eventsOf(lw, 'dismiss')).toHaveLength(1));
    expect((await eventsOf(lw, 'dismiss'))[0]).toMatchObject({
      itemId: 'b',
      scenario: 'similar',
      widget: 'similar',
    });
    expect(ids(await lw.recommend({ type: 'similar', itemId: 'a', limit: 3 }))).toEqual([
      'c',
      'd',
      'h',
    ]);
    expect(errors).toEqual([]);
  });

  it('never shows one item twice on a page, and frees the items of a removed widget', async () => {
    const { lw, errors } = setup();
    const first = container();
    const second = container();
    const stopFirst = lw.render(first, { type: 'similar', itemId: 'a', limit: 5 });
    lw.render(second, { type: 'trending', limit: 3 });
    // Both come into view at once.
    await reveal();
    expect(itemIds(await rendered(first))).toEqual(['b', 'c', 'd', 'h', 'g']);
    expect(itemIds(await rendered(second))).toEqual(['f', 'e', 'a']);

    stopFirst();
    const third = container();
    lw.render(third, { type: 'trending', limit: 3 });
    await reveal();
    expect(itemIds(await rendered(third))).toEqual(['h', 'g', 'd']);
    expect(errors).toEqual([]);
  });

  for (const order of ['similar first', 'recently viewed first'])
    it(`recently viewed leaves out the page's item and what other widgets show (${order})`, async () => {
      const { lw, errors } = setup();
      for (const itemId of ['b', 'c', 'd', 'a']) await lw.track({ type: 'view', itemId });
      setHtml(document.body, '<article data-likewise-view="a"></article>');
      const similar = container();
      const recent = container();
      const fill = {
        similar: () => lw.render(similar, { type: 'similar', itemId: 'a', limit: 2 }),
        recent: () => lw.render(recent, { type: 'recently-viewed', limit: 5 }),
      };
      if (order === 'similar first') {
        fill.similar();
        fill.recent();
      } else {
        fill.recent();
        fill.similar();
      }
      reveal();
      const shown = [...itemIds(await rendered(similar)), ...itemIds(await rendered(recent))];
      expect(shown).not.toContain('a');
      expect(new Set(shown).size).toBe(shown.length);
      if (order === 'similar first') expect(itemIds(await rendered(recent))).toEqual(['d']);
      else expect(itemIds(await rendered(recent))).toEqual(['d', 'c', 'b']);
      expect(errors).toEqual([]);
    });

  it('with dedupe false, widgets show what they would alone', async () => {
    const { lw } = setup({ dedupe: false });
    const first = container();
    const second = container();
    lw.render(first, { type: 'similar', itemId: 'a', limit: 5 });
    lw.render(second, { type: 'trending', limit: 3 });
    await reveal();
    expect(itemIds(await rendered(first))).toEqual(['b', 'c', 'd', 'h', 'g']);
    expect(itemIds(await rendered(second))).toEqual(['h', 'g', 'f']);
  });

  it('speaks the page language, whose texts load beside the widget part; in English when they cannot load', async () => {
    const { lw, errors } = setup({ locale: 'es-ES' });
    const el = container();
    lw.render(el, { type: 'similar', itemId: 'a', limit: 3 });
    await reveal();
    await rendered(el);
    const title = (e: Element) =>
      e.querySelector('.likewise-host')!.shadowRoot!.querySelector('h2');
    expect(title(el)?.textContent).toBe('Artículos similares');
    expect(errors).toEqual([]);

    // A build whose texts file cannot load: the widget still shows, in English.
    vi.resetModules();
    const offline = new TypeError('Failed to fetch dynamically imported module');
    const other = createLikewise(
      {
        site: 'shop2',
        catalog: CATALOG,
        model: `${M}manifest.json`,
        locale: 'nl',
        onError: (e) => errors.push(e),
      },
      withExtras({
        indexedDB: new IDBFactory(),
        fetch: serve({ [CATALOG]: catalogItems(), [M]: tinyModel() }).fetch,
        IntersectionObserver: FakeIO,
        load: ((name: keyof LikewiseParts) =>
          name === 'widgets'
            ? import('../src/startWidgets').then((m) => ({
                ...m,
                startWidgets: (...[core, deps, urls]: Parameters<typeof m.startWidgets>) =>
                  m.startWidgets(core, deps, urls, () => Promise.reject(offline)),
              }))
            : loadPart(name)) as LikewiseDeps['load'],
      }),
    );
    running.push(other);
    const el2 = container();
    other.render(el2, { type: 'similar', itemId: 'a', limit: 3 });
    await reveal();
    await rendered(el2);
    expect(title(el2)?.textContent).toBe('Similar items');
    // Reported (as the core reports what is not its own error), never thrown.
    expect(errors).toEqual([expect.objectContaining({ cause: offline })]);
  });

  it('misuse of render throws at once', () => {
    const { lw } = setup();
    expect(() => lw.render(container(), { type: 'nope' as never })).toThrow(
      'render: type must be one of similar, bought-together, for-you, recently-viewed, trending, got "nope".',
    );
    expect(() => lw.render(container(), undefined as never)).toThrow('render: type must be one of');
    expect(() => lw.render(container(), { type: 'trending', widget: 'w'.repeat(65) })).toThrow(
      'render: widget must be a string of 1 to 64 characters',
    );
  });
});

describe('createLikewise: observe', () => {
  it('fills [data-likewise] containers, present at start and added later, named by data-likewise-widget', async () => {
    const { lw, errors } = setup();
    setHtml(
      document.body,
      '<div id="pdp" data-likewise="similar" data-item-id="a" data-limit="2" data-likewise-widget="pdp"></div>' +
        '<div id="home" data-likewise="for-you" data-limit="1" data-widget="home-for-you"></div>',
    );
    const stop = lw.observe(document);
    await reveal();
    const pdp = document.getElementById('pdp')!;
    expect(itemIds(await rendered(pdp))).toEqual(['b', 'c']);

    const later = document.createElement('div');
    later.setAttribute('data-likewise', 'trending');
    later.setAttribute('data-limit', '2');
    document.body.append(later);
    await waitFor(() => expect(later.querySelector('.likewise-host')).not.toBeNull());
    await reveal();
    // 'h' is in the for-you slot already (page-wide dedupe).
    expect(itemIds(await rendered(later))).toEqual(['g', 'f']);

    click((await rendered(pdp))[0].querySelector('a')!);
    await waitFor(async () => expect(await eventsOf(lw, 'click')).toHaveLength(1));
    expect((await eventsOf(lw, 'click'))[0]).toMatchObject({ widget: 'pdp', scenario: 'similar' });
    // data-widget, the README's name, names the slot as well.
    click((await rendered(document.getElementById('home')!))[0].querySelector('a')!);
    await waitFor(async () => expect(await eventsOf(lw, 'click')).toHaveLength(2));
    expect((await eventsOf(lw, 'click'))[1]).toMatchObject({ widget: 'home-for-you' });

    stop();
    expect(pdp.querySelector('.likewise-host')).toBeNull();
    expect(errors).toEqual([]);
  });
});

describe('createLikewise: what a page loads', () => {
  /** `setup` with a record of the parts the instance loads. */
  function counted(options: Partial<LikewiseOptions> = {}) {
    const loaded: string[] = [];
    const server = serve({ [CATALOG]: catalogItems(), [M]: tinyModel() });
    const lw = createLikewise(
      { site: 'shop', catalog: CATALOG, model: `${M}manifest.json`, ...options },
      withExtras({
        indexedDB: new IDBFactory(),
        fetch: server.fetch,
        IntersectionObserver: FakeIO,
        load: (name) => {
          loaded.push(name);
          return loadPart(name);
        },
      }),
    );
    running.push(lw);
    return { lw, loaded, server };
  }

  it('a page without widget markup loads no widget code, until a container is added', async () => {
    const { lw, loaded, server } = counted();
    setHtml(document.body, '<p>cart</p><a href="/privacy" data-likewise-privacy>Privacy</a>');
    lw.observe(document);
    await lw.track({ type: 'view', itemId: 'a' });
    await new Promise((r) => setTimeout(r, 50));
    // The npm build's observe() is a part of its own: no widget code.
    expect(loaded).toEqual(['observe']);
    expect(server.calls).toEqual([]);

    const later = document.createElement('div');
    later.setAttribute('data-likewise', 'trending');
    later.setAttribute('data-limit', '2');
    document.body.append(later);
    await waitFor(() => expect(later.querySelector('.likewise-host')).not.toBeNull());
    expect(loaded.sort()).toEqual(['containers', 'observe', 'widgets']);
    await reveal();
    expect(itemIds(await rendered(later))).toEqual(['h', 'g']);
  });

  it("starts the model's files the page preloads with the manifest, before the widget part is here, and no other preload", async () => {
    const server = serve({ [CATALOG]: catalogItems(), [M]: tinyModel() });
    const popularity = `${M}popularity-0123.json`;
    setHtml(
      document.body,
      `<link rel="preload" href="${popularity}" as="fetch" crossorigin>` +
        // The page's own file, and a model file preloaded as something else: not likewise's to take.
        '<link rel="preload" href="https://shop.test/own.json" as="fetch" crossorigin>' +
        `<link rel="preload" href="${M}other.css" as="style">` +
        '<div data-likewise="trending"></div>',
    );
    const lw = createLikewise(
      { site: 'shop', catalog: CATALOG, model: `${M}manifest.json` },
      // The widget part never arrives: what starts, starts in the core.
      withExtras({
        indexedDB: new IDBFactory(),
        fetch: server.fetch,
        load: () => new Promise(() => {}),
      }),
    );
    running.push(lw);
    expect(server.calls.sort()).toEqual([CATALOG, `${M}manifest.json`, popularity].sort());
  });

  it('the learning part loads only once a session pairs two items', async () => {
    const { lw, loaded } = counted();
    await lw.track({ type: 'view', itemId: 'a' });
    await lw.track({ type: 'view', itemId: 'a' });
    const one = await lw.recommend({ type: 'for-you', limit: 3 });
    expect(one.length).toBeGreaterThan(0);
    expect(loaded).not.toContain('learn');
    await lw.track({ type: 'view', itemId: 'c' });
    await lw.recommend({ type: 'for-you', limit: 3 });
    expect(loaded).toContain('learn');
  });
});

describe('createLikewise: rules from markup', () => {
  it('a container applies its data- rules; a malformed one is refused at render (onError), nothing shown', async () => {
    const { lw, errors } = setup();
    setHtml(
      document.body,
      '<div id="r" data-likewise="trending" data-limit="3" data-exclude="h g"></div>' +
        '<div id="bad" data-likewise="trending" data-limit="3" data-max-price="cheap"></div>',
    );
    lw.observe(document);
    reveal();
    expect(itemIds(await rendered(document.getElementById('r')!))).toEqual(['f', 'e', 'd']);
    expect(errors.map((e) => e.message)).toEqual([
      'render: rules.maxPrice must be a number, got NaN.',
    ]);
    expect(document.getElementById('bad')!.childElementCount).toBe(0);
  });
});

describe('createLikewise: catalogue', () => {
  it('items of the page JSON-LD join the catalogue (auto-tracking) without overriding the shop feed', async () => {
    const products = [
      { '@type': 'Product', sku: 'n', name: 'Page item N', url: '/p/n', offers: { price: 5 } },
      { '@type': 'Product', sku: 'a', name: 'Page name for A', url: '/elsewhere/a' },
    ];
    const script = document.createElement('script');
    script.type = 'application/ld+json';
    script.textContent = JSON.stringify({ '@graph': products });
    document.head.append(script);
    try {
      const { lw, errors } = setup({ autoTrack: true });
      await waitFor(async () => expect(await eventsOf(lw, 'view')).toHaveLength(1));
      const [recent] = await lw.recommend({ type: 'recently-viewed' });
      expect(recent.item).toMatchObject({
        id: 'n',
        title: 'Page item N',
        url: 'http://localhost:3000/p/n',
      });
      const similar = await lw.recommend({ type: 'similar', itemId: 'b', limit: 1 });
      expect(similar[0].item).toEqual(catalogItems()[0]);
      expect(errors).toEqual([]);
    } finally {
      script.remove();
    }
  });
  /** The tiny model's files with the catalogue beside it (`likewise train --catalog`), as served routes. */
  function withCatalog(entriesPerShard: number) {
    const files = tinyModel();
    const section = encodeCatalog(catalogItems(), { entriesPerShard });
    const manifest = {
      ...JSON.parse(new TextDecoder().decode(files.find((f) => f.name === 'manifest.json')!.bytes)),
      catalog: section.section,
    };
    return {
      section: section.section,
      routes: { [M]: [...files, ...section.files], [`${M}manifest.json`]: manifest },
    };
  }

  it('a model that carries its catalogue: the model and the catalogue read one manifest request, and a failed one is asked again', async () => {
    const { lw, errors, server } = setup({ catalog: undefined }, withCatalog(2).routes);
    const manifests = () => server.calls.filter((u) => u === `${M}manifest.json`).length;
    server.offline.add(`${M}manifest.json`);
    expect(await lw.recommend({ type: 'similar', itemId: 'b' })).toEqual([]);
    expect(errors.map((e) => e.code)).toContain('MODEL_FETCH');
    const failed = manifests();
    server.offline.clear();
    const recs = await lw.recommend({ type: 'similar', itemId: 'b', limit: 2 });
    expect(recs.map((r) => r.item)).toEqual([catalogItems()[0], catalogItems()[2]]);
    expect(manifests()).toBe(failed + 1);
  });

  it("a product page's similar widget: the entries of its item's list load while the visitor's events are still being read", async () => {
    // One entry per shard on average: the items' shards are requests of their own.
    const { section, routes } = withCatalog(1);
    const server = serve(routes);
    // A new visitor whose storage takes its time to open.
    let open = () => {};
    const opened = new Promise<void>((r) => {
      open = r;
    });
    const store = createEventStore({ site: 'shop' }, { indexedDB: new IDBFactory() });
    const errors: unknown[] = [];
    const lw = createLikewise(
      { site: 'shop', model: `${M}manifest.json`, onError: (e) => errors.push(e) },
      withExtras({
        indexedDB: new IDBFactory(),
        fetch: server.fetch,
        IntersectionObserver: FakeIO,
        createEventStore: () => ({ ...store, events: () => opened.then(store.events) }),
      }),
    );
    running.push(lw);
    setHtml(
      document.body,
      '<div id="pdp" data-likewise="similar" data-item-id="a" data-limit="3"></div>',
    );
    lw.observe(document);
    await reveal();
    // a's list: b, z (no entry), c, d.
    const shardOf = (id: string) => `${M}${catalogShardFile(section, id)}`;
    await vi.waitFor(
      () => expect(server.calls).toEqual(expect.arrayContaining(['b', 'c', 'd'].map(shardOf))),
      { timeout: 2000, interval: 5 },
    );
    const pdp = document.getElementById('pdp')!;
    expect(
      pdp.querySelector('.likewise-host')?.shadowRoot?.querySelector('[data-likewise-item]'),
    ).toBeFalsy();
    open();
    expect(itemIds(await rendered(pdp))).toEqual(['b', 'c', 'd']);
    expect(errors).toEqual([]);
  });
});

describe('createLikewise: the prefetch hint', () => {
  const HINT = 'likewise-shop.recent';
  const model = tinyModel(64);
  const manifest: Manifest = JSON.parse(
    new TextDecoder().decode(model.find((f) => f.name === 'manifest.json')!.bytes),
  );
  const shardUrl = (id: string) => M + shardFile(manifest, shardOf(id, manifest.shards));

  /** A page whose event store answers only once `open()` is called. */
  function page(options: Partial<LikewiseOptions> = {}) {
    let open = () => {};
    const opened = new Promise<void>((r) => {
      open = r;
    });
    const store = createEventStore({ site: 'shop' }, { indexedDB: new IDBFactory() });
    const { lw, server, errors } = setup(
      options,
      { [M]: model },
      {
        createEventStore: () => ({ ...store, events: () => opened.then(store.events) }),
      },
    );
    return { lw, server, open, errors };
  }

  it("keeps for-you's anchors once the events are read, and a returning visitor's page starts their shards before reading its own", async () => {
    const first = page();
    first.open();
    await first.lw.track({ type: 'view', itemId: 'a' });
    await first.lw.track({ type: 'view', itemId: 'c' });
    await first.lw.recommend({ type: 'for-you', limit: 3 });
    await waitFor(() => expect(JSON.parse(localStorage.getItem(HINT)!)).toEqual(['c', 'a']));

    // The next page: its storage has not answered yet.
    const next = page();
    const recs = next.lw.recommend({ type: 'for-you', limit: 3 });
    await waitFor(() =>
      expect(next.server.calls).toEqual(expect.arrayContaining([shardUrl('c'), shardUrl('a')])),
    );
    // What it read is its own: no shard of another item was asked for.
    const others = ['b', 'd', 'e', 'f', 'g', 'h']
      .map(shardUrl)
      .filter((u) => u !== shardUrl('a') && u !== shardUrl('c'));
    expect(next.server.calls.filter((u) => others.includes(u))).toEqual([]);
    next.open();
    await recs;
    // Then it keeps what it read itself (this page's storage is a new one: nothing).
    await waitFor(() => expect(localStorage.getItem(HINT)).toBe('[]'));
    expect(first.errors).toEqual([]);
    expect(next.errors).toEqual([]);
  });

  it('without consent, nothing is kept or read; forget() erases it, and a forget() while reading keeps nothing', async () => {
    const pending = page({ consent: 'pending' });
    pending.open();
    await pending.lw.track({ type: 'view', itemId: 'a' });
    await pending.lw.recommend({ type: 'for-you', limit: 3 });
    await new Promise((r) => setTimeout(r, 20));
    expect(localStorage.getItem(HINT)).toBeNull();

    // A hint left by an earlier page is not read before consent.
    localStorage.setItem(HINT, JSON.stringify(['c']));
    const later = page({ consent: 'pending' });
    await later.lw.recommend({ type: 'for-you', limit: 3 });
    expect(later.server.calls).not.toContain(shardUrl('c'));

    // forget() erases it.
    const granted = page();
    granted.open();
    await granted.lw.recommend({ type: 'for-you', limit: 3 });
    await waitFor(() => expect(localStorage.getItem(HINT)).not.toBeNull());
    await granted.lw.forget();
    expect(localStorage.getItem(HINT)).toBeNull();

    // A forget() while the widget part reads the events: nothing of the
    // erased history is kept afterwards.
    const racing = page();
    await racing.lw.track({ type: 'view', itemId: 'a' });
    const recs = racing.lw.recommend({ type: 'for-you', limit: 3 });
    await waitFor(() => expect(racing.server.calls.join()).toContain('popularity'));
    const erased = racing.lw.forget();
    racing.open();
    await Promise.all([recs, erased]);
    await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(localStorage.getItem(HINT) ?? '[]')).not.toContain('a');
    expect((await racing.lw.events()).length).toBe(0);
  });

  it('a hint of any other shape costs nothing but a few requests', async () => {
    for (const junk of ['{"a":1}', '42', 'not json', JSON.stringify(Array(500).fill('a'))]) {
      localStorage.setItem(HINT, junk);
      const p = page();
      p.open();
      expect((await p.lw.recommend({ type: 'trending', limit: 2 })).length).toBe(2);
      expect(p.errors).toEqual([]);
      expect(p.server.calls.filter((u) => u.includes('/model-')).length).toBeLessThanOrEqual(12);
      p.lw.destroy();
    }
  });
});

describe('createLikewise: experiment', () => {
  it('holdout visitors get trending for for-you, and their events carry group "holdout"', async () => {
    const { lw, errors } = setup({ experiment: { holdout: 1 } });
    await lw.ready;
    await lw.track({ type: 'view', itemId: 'c' });
    await lw.track({ type: 'view', itemId: 'd' });
    const recs = await lw.recommend({ type: 'for-you', limit: 4 });
    expect(ids(recs)).toEqual(['h', 'g', 'f', 'e']);
    expect(recs.every((r) => r.reason.kind === 'trending')).toBe(true);
    expect((await lw.events()).map((e) => e.group)).toEqual(['holdout', 'holdout']);

    const el = container();
    lw.render(el, { type: 'for-you', limit: 2 });
    await reveal();
    const lis = await rendered(el);
    expect(itemIds(lis)).toEqual(['h', 'g']);
    click(lis[0].querySelector('a')!);
    await waitFor(async () => expect(await eventsOf(lw, 'click')).toHaveLength(1));
    // The configured scenario, so treatment and holdout compare the same slot.
    expect((await eventsOf(lw, 'click'))[0]).toMatchObject({
      scenario: 'for-you',
      group: 'holdout',
    });
    expect(errors).toEqual([]);
  });

  it('events tracked before measurement loads are stored with the group and visitor too', async () => {
    const factory = new IDBFactory();
    const errors: LikewiseError[] = [];
    let arrive = () => {};
    const arrived = new Promise<void>((r) => {
      arrive = r;
    });
    const lw = createLikewise(
      { site: 'shop', experiment: { holdout: 1 }, onError: (e) => errors.push(e) },
      // The measurement part arrives only after the first event is written.
      withExtras({ indexedDB: factory, load: (name) => loadPart(name, { measure: arrived }) }),
    );
    running.push(lw);
    await lw.track({ type: 'view', itemId: 'c' });
    arrive();
    await lw.ready;
    await lw.track({ type: 'view', itemId: 'd' });
    const reload = createLikewise(
      { site: 'shop', onError: (e) => errors.push(e) },
      withExtras({ indexedDB: factory }),
    );
    running.push(reload);
    const stored = await reload.events();
    expect(stored.map((e) => [e.itemId, e.group])).toEqual([
      ['c', 'holdout'],
      ['d', 'holdout'],
    ]);
    expect(stored[0].visitor).toMatch(/./);
    expect(stored[1].visitor).toBe(stored[0].visitor);
    expect(errors).toEqual([]);
  });

  it('loads the catalogue and starts the model while measurement is still loading', async () => {
    const server = serve({ [CATALOG]: catalogItems(), [M]: tinyModel() });
    let arrive = () => {};
    const arrived = new Promise<void>((r) => {
      arrive = r;
    });
    const lw = createLikewise(
      {
        site: 'shop',
        catalog: CATALOG,
        model: `${M}manifest.json`,
        experiment: { holdout: 0 },
      },
      withExtras({
        indexedDB: new IDBFactory(),
        fetch: server.fetch,
        load: (name) => loadPart(name, { measure: arrived }),
      }),
    );
    running.push(lw);
    void lw.recommend({ type: 'trending' });
    // The manifest, the catalogue and popularity, before measurement is here.
    await waitFor(() =>
      expect(
        [CATALOG, `${M}manifest.json`].every((u) => server.calls.includes(u)) &&
          server.calls.some((u) => u.includes('popularity-')),
      ).toBe(true),
    );
    arrive();
    await lw.ready;
  });

  it('treatment visitors get for-you; control "none" shows holdout visitors nothing', async () => {
    const treated = setup({ experiment: { holdout: 0 } });
    await treated.lw.ready;
    await treated.lw.track({ type: 'view', itemId: 'c' });
    await treated.lw.track({ type: 'view', itemId: 'd' });
    expect(ids(await treated.lw.recommend({ type: 'for-you', limit: 2 }))).toEqual(['a', 'b']);
    expect((await treated.lw.events())[0].group).toBe('treatment');

    const none = setup({ experiment: { holdout: 1, control: 'none' } });
    expect(await none.lw.recommend({ type: 'for-you' })).toEqual([]);
    expect(ids(await none.lw.recommend({ type: 'trending', limit: 1 }))).toEqual(['h']);
    const el = container();
    none.lw.render(el, { type: 'for-you' });
    await reveal();
    expect(await rendered(el)).toEqual([]);
    expect(el.classList.contains('likewise--empty')).toBe(true);
    expect([...treated.errors, ...none.errors]).toEqual([]);
  });
});

describe('createLikewise: report, profile, rerank', () => {
  it('report() counts this visitor clicks and impressions per widget', async () => {
    const { lw, errors } = setup();
    const pdp = container();
    const home = container();
    lw.render(pdp, { type: 'similar', itemId: 'a', limit: 2, widget: 'pdp' });
    lw.render(home, { type: 'trending', limit: 2, widget: 'home' });
    await reveal();
    const [b] = await rendered(pdp);
    await rendered(home);
    see(b);
    click(b.querySelector('a')!);
    await waitFor(async () => expect(await eventsOf(lw, 'click')).toHaveLength(1));
    await waitFor(async () => expect(await eventsOf(lw, 'impression')).toHaveLength(1));
    await lw.track({ type: 'add_to_cart', itemId: 'b' });

    const report = await lw.report();
    const row = (widget: string) => report.widgets.find((w) => w.widget === widget);
    expect(row('pdp')).toMatchObject({
      scenario: 'similar',
      impressions: 1,
      clicks: 1,
      ctr: 1,
      addToCarts: 1,
    });
    expect(row('home')?.clicks ?? 0).toBe(0);
    expect(errors).toEqual([]);
  });

  it('profile() leans to what the visitor looked at; rerank() keeps the same ids', async () => {
    const { lw, errors } = setup();
    for (const itemId of ['e', 'a', 'b', 'c']) await lw.track({ type: 'view', itemId });
    const profile = await lw.profile();
    expect(profile.categories[0].value).toBe('shoes');
    expect(profile.categories.map((c) => c.value)).toContain('bags');

    const order = ['f', 'g', 'unknown', 'd', 'h', 'a'];
    const reranked = await lw.rerank(order);
    expect([...reranked].sort()).toEqual([...order].sort());
    expect(reranked.slice(0, 2)).toEqual(['d', 'a']);
    expect(order).toEqual(['f', 'g', 'unknown', 'd', 'h', 'a']);
    expect(errors).toEqual([]);
  });
});

describe('createLikewise: identify', () => {
  const customer = 'customer-4711@example.com';

  it('stores only a hash of the customer id', async () => {
    const { lw, factory, errors } = setup();
    await lw.track({ type: 'view', itemId: 'a' });
    await lw.identify(customer);
    const dump = await dumpIndexedDB(factory);
    expect(dump).toMatch(/"customer"/);
    expect(dump).toMatch(/[0-9a-f]{64}/);
    expect(dump).not.toContain(customer);
    expect(dump).not.toContain('4711');
    expect(errors).toEqual([]);
  });

  it('with profileEndpoint, merges the customer history from other devices into for-you (this page only)', async () => {
    const remote = [
      { id: 'remote-1', type: 'view', ts: 1_600_000_000_000, session: 'laptop', itemId: 'b' },
      { id: 'remote-2', type: 'teleport', ts: 1_600_000_000_001, session: 'laptop' },
    ];
    const { lw, server, factory, errors } = setup(
      { profileEndpoint: PROFILE },
      { [PROFILE]: remote },
    );
    expect(ids(await lw.recommend({ type: 'for-you', limit: 2 }))).toEqual(['h', 'g']);
    await lw.identify(customer);
    const asked = server.calls.find((u) => u.startsWith(PROFILE))!;
    expect(asked).toMatch(new RegExp(`^${PROFILE}\\?customer=[0-9a-f]{64}$`));
    expect(asked).not.toContain('4711');
    // b was viewed on the laptop: its neighbours a (.9) and c (.7) come first.
    const recs = await lw.recommend({ type: 'for-you', limit: 2 });
    expect(ids(recs)).toEqual(['a', 'c']);
    expect(recs[0].reason).toMatchObject({ kind: 'history', itemId: 'b' });
    // Another device's events are not stored on this one.
    expect(await lw.events()).toEqual([]);
    expect(await dumpIndexedDB(factory)).not.toContain('remote-1');
    expect(errors).toEqual([]);
  });

  it('throws misuse at once; a failing profile endpoint is reported, never rejected', async () => {
    const { lw, server, errors } = setup({ profileEndpoint: PROFILE });
    expect(() => lw.identify('')).toThrow(
      'identify: customerId must be a string of 1 to 256 characters, got "".',
    );
    expect(() => lw.identify('x'.repeat(257))).toThrow(
      'identify: customerId must be a string of 1 to 256 characters, got "' +
        'x'.repeat(40) +
        '…".',
    );
    for (const ids of [5, 'a', null, new Set(['a'])])
      expect(() => lw.rerank(ids as never)).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          message: expect.stringMatching(/^rerank: itemIds must be an array, got /),
        }),
      );
    server.broken.add(PROFILE);
    await expect(lw.identify(customer)).resolves.toBeUndefined();
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['NETWORK', "Cannot load the customer's history from the profile endpoint: HTTP 500"],
    ]);
  });
});

describe('createLikewise: options', () => {
  it('refuses misused options with exact messages', () => {
    const cases: [Partial<LikewiseOptions>, string][] = [
      [{ model: 42 as never }, 'createLikewise: model must be a URL, got 42.'],
      [{ model: '' }, 'createLikewise: model must be a URL, got "".'],
      [
        { model: 'javascript:alert(1)' },
        'createLikewise: model must be a URL, got "javascript:alert(1)".',
      ],
      [
        { catalog: {} as never },
        'createLikewise: catalog must be a URL, an array or a function, got object.',
      ],
      [{ endpoint: 'ftp://x' }, 'createLikewise: endpoint must be a URL, got "ftp://x".'],
      [{ profileEndpoint: 7 as never }, 'createLikewise: profileEndpoint must be a URL, got 7.'],
      [
        { experiment: { holdout: 2 } },
        'createLikewise: experiment must be { holdout: 0 to 1 }, got object.',
      ],
      [
        { experiment: { holdout: 0.1, control: 'blank' as never } },
        'createLikewise: experiment must be { holdout: 0 to 1 }, got object.',
      ],
      [{ windowDays: 0 }, 'createLikewise: windowDays must be a positive number, got 0.'],
      [
        { includePurchased: 'yes' as never },
        'createLikewise: includePurchased must be true or false, got "yes".',
      ],
      [{ dedupe: 1 as never }, 'createLikewise: dedupe must be true or false, got 1.'],
      [{ locale: '' }, 'createLikewise: locale must be a language tag, got "".'],
      [{ widgets: 'big' as never }, 'createLikewise: widgets must be an object, got "big".'],
    ];
    for (const [options, message] of cases) {
      let thrown: unknown;
      try {
        createLikewise({ site: 'shop', ...options });
      } catch (e) {
        thrown = e;
      }
      expect((thrown as LikewiseError)?.code).toBe('INVALID_OPTION');
      expect((thrown as Error).message).toBe(message);
    }
    // Relative URLs are fine: they resolve against the page.
    expect(() =>
      createLikewise({ site: 'shop', model: '/model/manifest.json', catalog: 'catalog.json' }),
    ).not.toThrow();
  });

  it('includePurchased keeps bought items in recommendations', async () => {
    const bought = { type: 'purchase' as const, items: [{ itemId: 'b' }] };
    const mine = setup();
    await mine.lw.track(bought);
    expect(ids(await mine.lw.recommend({ type: 'similar', itemId: 'a', limit: 2 }))).toEqual([
      'c',
      'd',
    ]);
    const keep = setup({ includePurchased: true });
    await keep.lw.track(bought);
    expect(ids(await keep.lw.recommend({ type: 'similar', itemId: 'a', limit: 2 }))).toEqual([
      'b',
      'c',
    ]);
  });
});
