// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLikewiseError, LikewiseError } from '../../src/errors';
import { noPreload } from '../../src/shared/noPreload';
import type { Recommendation } from '../../src/types';
import { loadTexts } from '../../src/widgets/loadTexts';
import { type RenderDeps, type RenderOptions, render } from '../../src/widgets/render';
import { loadingTexts } from '../../src/widgets/widgetTexts';
import { deferred, FakeIntersectionObserver, FakeIO, flush, rec } from '../support/widgetFakes';

let container: HTMLElement;
const cleanups: Array<() => void> = [];
const pageErrors: unknown[] = [];
const onPageError = (e: Event) => pageErrors.push(e);

beforeEach(() => {
  document.body.replaceChildren();
  document.documentElement.lang = 'en-US';
  container = document.createElement('div');
  document.body.append(container);
  FakeIntersectionObserver.reset();
  pageErrors.length = 0;
  window.addEventListener('error', onPageError);
  window.addEventListener('unhandledrejection', onPageError);
});
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
  window.removeEventListener('error', onPageError);
  window.removeEventListener('unhandledrejection', onPageError);
  expect(pageErrors).toEqual([]);
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function show(
  recs: Recommendation[] | Promise<Recommendation[]>,
  options: Partial<RenderOptions> = {},
  deps: Partial<RenderDeps> = {},
) {
  const getRecommendations = vi.fn(() => Promise.resolve(recs));
  const cleanup = render(
    container,
    { type: 'similar', itemId: 'sku-0', lazy: false, ...options },
    { getRecommendations, ...deps },
  );
  cleanups.push(cleanup);
  return { cleanup, getRecommendations };
}

/** The widget's render root (its shadow root, or the light-DOM host). */
function widget(el = container): ParentNode {
  const host = el.querySelector('.likewise-host');
  if (!host) throw new Error('no widget host');
  return host.shadowRoot ?? host;
}
/** Loads the built-in texts of `lang` (the first widget in a language waits for them). */
const speak = async (...langs: string[]) => {
  for (const lang of langs) await loadingTexts(lang, (l) => loadTexts(l, noPreload));
};
const items = (root = widget()) => [...root.querySelectorAll<HTMLElement>('[role="listitem"]')];
const text = (el: Element | null | undefined) => el?.textContent ?? null;

describe('render: the default widget', () => {
  it('shows a heading and a list of linked cards with image, title and price', async () => {
    const { getRecommendations } = show([
      rec('a', { title: 'Red shoe', price: 12.5, currency: 'EUR', image: '/img/a.jpg' }),
      rec('b', { title: 'Blue shoe', url: 'https://cdn.example/b', price: 1200, currency: 'JPY' }),
    ]);
    await flush();
    expect(getRecommendations).toHaveBeenCalledWith({ type: 'similar', itemId: 'sku-0', limit: 8 });
    const root = widget();
    expect(text(root.querySelector('h2'))).toBe('Similar items');
    const list = root.querySelector('[role="list"]');
    expect(list?.classList.contains('likewise__list')).toBe(true);
    const [a, b] = items();
    expect(items()).toHaveLength(2);
    expect(a.dataset.likewiseItem).toBe('a');
    expect(b.dataset.likewiseItem).toBe('b');

    const link = a.querySelector('a');
    expect(link?.getAttribute('href')).toBe('http://localhost:3000/p/a');
    expect(text(link?.querySelector('.likewise__name'))).toBe('Red shoe');
    expect(text(a.querySelector('.likewise__price'))).toBe('€12.50');
    expect(text(b.querySelector('.likewise__price'))).toBe('¥1,200');
    expect(b.querySelector('a')?.getAttribute('href')).toBe('https://cdn.example/b');

    const img = a.querySelector('img');
    expect(img?.getAttribute('src')).toBe('http://localhost:3000/img/a.jpg');
    expect(img?.getAttribute('alt')).toBe('Red shoe');
    expect(img?.getAttribute('width')).toBe('240');
    expect(img?.getAttribute('height')).toBe('240');
    expect(img?.getAttribute('loading')).toBe('lazy');
    // Set before src (attributes keep their order): a src set first starts an eager load.
    const names = img?.getAttributeNames() ?? [];
    expect(names.indexOf('loading')).toBeLessThan(names.indexOf('src'));
    // No image URL: a placeholder keeps the card's shape, no <img>.
    expect(b.querySelector('img')).toBeNull();
    expect(b.querySelector('.likewise__image')).not.toBeNull();
  });

  it('formats prices for the page language', async () => {
    await speak('de');
    document.documentElement.lang = 'de-DE';
    show([rec('a', { price: 1234.5, currency: 'EUR' })]);
    await flush();
    expect(text(widget().querySelector('.likewise__price'))).toBe('1.234,50\u00a0€');
  });

  it('falls back to navigator.language without <html lang>, and deps.locale wins', async () => {
    await speak('fr');
    document.documentElement.removeAttribute('lang');
    show([rec('a', { price: 5, currency: 'USD' })]);
    await flush();
    expect(text(widget().querySelector('.likewise__price'))).toBe('$5.00'); // happy-dom: en-US
    show([rec('a', { price: 5, currency: 'USD' })], {}, { locale: 'fr-FR' });
    await flush();
    expect(text(widget().querySelector('.likewise__price'))).toBe('5,00\u00a0$US');
  });

  it('tags the list with a random recommendation id, new for every rendered list', async () => {
    show([rec('a')]);
    await flush();
    const first = widget().querySelector('[data-likewise-rec]')?.getAttribute('data-likewise-rec');
    show([rec('a')]);
    await flush();
    const second = widget().querySelector('[data-likewise-rec]')?.getAttribute('data-likewise-rec');
    expect(first).toMatch(/^[a-z0-9]{4,}$/);
    expect(second).toMatch(/^[a-z0-9]{4,}$/);
    expect(second).not.toBe(first);
  });

  it('uses stable class names, extra classNames and part names', async () => {
    show([rec('a', { image: '/a.jpg', price: 1, currency: 'EUR' })], {
      showReason: true,
      dismissible: true,
      classNames: { item: 'card shadow', title: 'h' },
    });
    await flush();
    const root = widget();
    const li = items()[0];
    expect(li.className).toBe('likewise__item card shadow');
    expect(root.querySelector('h2')?.className).toBe('likewise__title h');
    expect(root.querySelector('section')?.className).toBe('likewise');
    const parts = [...root.querySelectorAll('[part]')].map((e) => e.getAttribute('part'));
    expect(new Set(parts)).toEqual(
      new Set([
        'root',
        'title',
        'list',
        'item',
        'link',
        'image',
        'name',
        'price',
        'reason',
        'dismiss',
      ]),
    );
  });

  it('titles by scenario, overridable by translations and by title', async () => {
    const titleOf = async (options: Partial<RenderOptions>) => {
      show([rec('a')], options);
      await flush();
      return text(widget().querySelector('h2'));
    };
    expect(await titleOf({ type: 'for-you' })).toBe('Recommended for you');
    expect(await titleOf({ type: 'bought-together' })).toBe('Frequently bought together');
    expect(await titleOf({ type: 'recently-viewed' })).toBe('Recently viewed');
    expect(await titleOf({ type: 'trending' })).toBe('Trending now');
    expect(await titleOf({ type: 'trending', translations: { trending: 'Im Trend' } })).toBe(
      'Im Trend',
    );
    expect(
      await titleOf({ type: 'trending', title: 'Hot', translations: { trending: 'Im Trend' } }),
    ).toBe('Hot');
  });

  it('speaks the page language: German, French, Italian, Spanish, Dutch built in, English otherwise', async () => {
    await speak('de', 'fr', 'it', 'es', 'nl');
    const titleIn = async (lang: string) => {
      document.documentElement.lang = lang;
      show([rec('a')], { type: 'recently-viewed', dismissible: true });
      await flush();
      return [
        text(widget().querySelector('h2')),
        items()[0].querySelector('button')?.getAttribute('aria-label'),
      ];
    };
    expect(await titleIn('de-DE')).toEqual(['Zuletzt angesehen', 'Kein Interesse: Item a']);
    expect(await titleIn('fr')).toEqual(['Vus récemment', 'Pas intéressé: Item a']);
    expect(await titleIn('it-CH')).toEqual(['Visti di recente', 'Non mi interessa: Item a']);
    expect(await titleIn('es')).toEqual(['Vistos recientemente', 'No me interesa: Item a']);
    expect(await titleIn('nl-BE')).toEqual(['Recent bekeken', 'Niet interessant: Item a']);
    expect(await titleIn('pl')).toEqual(['Recently viewed', 'Not interested: Item a']);
    // deps.locale wins over the page.
    document.documentElement.lang = 'en';
    show([rec('a')], { type: 'trending' }, { locale: 'de-AT' });
    await flush();
    expect(text(widget().querySelector('h2'))).toBe('Gerade beliebt');
  });

  it("takes the page's data-likewise-texts block over the built-in texts, and translations over both", async () => {
    await speak('de');
    document.documentElement.lang = 'de';
    // A fresh document: the block is read once per document.
    const doc = document.implementation.createHTMLDocument('x');
    doc.documentElement.lang = 'de';
    const block = doc.createElement('script');
    block.type = 'application/json';
    block.setAttribute('data-likewise-texts', '');
    block.textContent = JSON.stringify({ trending: 'Bestseller', empty: 'Leer <b>hier</b>' });
    doc.head.append(block);
    const el = doc.createElement('div');
    doc.body.append(el);
    const getRecommendations = () => Promise.resolve([]);
    cleanups.push(
      render(el, { type: 'trending', lazy: false, collapseEmpty: false }, { getRecommendations }),
    );
    await flush();
    expect(text(widget(el).querySelector('h2'))).toBe('Bestseller');
    expect(text(widget(el).querySelector('.likewise__empty'))).toBe('Leer <b>hier</b>');
    cleanups.push(
      render(
        el,
        { type: 'trending', lazy: false, collapseEmpty: false, translations: { trending: 'Top' } },
        { getRecommendations },
      ),
    );
    await flush();
    expect(text(widget(el).querySelector('h2'))).toBe('Top');
  });

  describe('in a language other than English', () => {
    // A fresh module graph each: no language loaded yet.
    const fresh = async () => {
      vi.resetModules();
      return (await import('../../src/widgets/render')).render;
    };
    const draw = (
      fresh: typeof render,
      deps: Partial<RenderDeps>,
      options: Partial<RenderOptions> = {},
    ) => {
      const stop = fresh(
        container,
        { type: 'trending', lazy: false, ...options },
        { getRecommendations: () => Promise.resolve([rec('a')]), ...deps },
      );
      cleanups.push(stop);
      return stop;
    };

    it('starts the widget once that language has loaded, loading it once per page', async () => {
      const texts = deferred<string>();
      const loadTexts = vi.fn(() => texts.promise);
      const fresher = await fresh();
      draw(fresher, { locale: 'de-AT', loadTexts });
      draw(fresher, { locale: 'de-AT', loadTexts }); // replaces the first, same load
      await flush();
      expect(container.querySelector('.likewise-host')).toBeNull();
      texts.resolve((await import('../../src/widgets/texts/de')).texts);
      await flush();
      expect(loadTexts).toHaveBeenCalledTimes(1);
      expect(loadTexts).toHaveBeenCalledWith('de');
      expect(container.querySelectorAll('.likewise-host')).toHaveLength(1);
      expect(text(widget().querySelector('h2'))).toBe('Gerade beliebt');
      // Loaded: the next widget starts at once.
      draw(fresher, { locale: 'de' });
      expect(text(widget().querySelector('h2'))).toBe('Gerade beliebt');
    });

    it('loads the texts from their own chunk by default', async () => {
      const fresher = await fresh();
      draw(fresher, { locale: 'nl' });
      await vi.waitFor(() => expect(text(widget().querySelector('h2'))).toBe('Nu populair'));
    });

    it('shows the widget in English when the texts cannot load, and reports why', async () => {
      const onError = vi.fn();
      const offline = new TypeError('Failed to fetch dynamically imported module');
      draw(await fresh(), { locale: 'fr', loadTexts: () => Promise.reject(offline) }, { onError });
      await flush();
      expect(text(widget().querySelector('h2'))).toBe('Trending now');
      expect(onError).toHaveBeenCalledWith(offline);
    });

    it('starts nothing when cleaned up before the texts arrive', async () => {
      const texts = deferred<string>();
      const stop = draw(await fresh(), { locale: 'it', loadTexts: () => texts.promise });
      stop();
      texts.resolve('x|x|x|x|x|x|x|x|x|x|x');
      await flush();
      expect(container.querySelector('.likewise-host')).toBeNull();
    });
  });

  it('passes business rules to the getter', async () => {
    const rules = { category: 'Fantasy', maxPrice: 20, maxPerCategory: 2 };
    const { getRecommendations } = show([rec('a')], { type: 'trending', rules });
    await flush();
    expect(getRecommendations).toHaveBeenCalledWith({
      type: 'trending',
      limit: 8,
      rules,
      itemId: 'sku-0',
    });
  });

  it('shows at most `limit` items and asks the getter for that many', async () => {
    const many = Array.from({ length: 12 }, (_, i) => rec(`i${i}`));
    const { getRecommendations } = show(many, { limit: 3 });
    await flush();
    expect(getRecommendations).toHaveBeenCalledWith({ type: 'similar', itemId: 'sku-0', limit: 3 });
    expect(items().map((li) => li.dataset.likewiseItem)).toEqual(['i0', 'i1', 'i2']);
  });

  it('drops tampered records and keeps the rest', async () => {
    const bad = [
      null,
      { id: 'x' },
      { id: 'y', item: { id: 'y', title: 42, url: '/y' } },
      { id: 7, item: { id: '7', title: 'Seven', url: '/7' } },
      rec('ok'),
    ] as unknown as Recommendation[];
    show(bad);
    await flush();
    expect(items().map((li) => li.dataset.likewiseItem)).toEqual(['ok']);
  });

  it('renders again into the same container by replacing the previous widget', async () => {
    show([rec('a')]);
    show([rec('b')]);
    await flush();
    expect(container.querySelectorAll('.likewise-host')).toHaveLength(1);
    expect(items().map((li) => li.dataset.likewiseItem)).toEqual(['b']);
  });

  it('a misused render into the same container leaves the widget there', async () => {
    show([rec('a')]);
    await flush();
    const getRecommendations = async () => [];
    expect(() =>
      render(container, { type: 'trending', title: 5 as never }, { getRecommendations }),
    ).toThrow('render: title must be a string, got 5.');
    expect(items().map((li) => li.dataset.likewiseItem)).toEqual(['a']);
  });
});

describe('render: misuse throws at once', () => {
  const getRecommendations = async () => [];
  const cases: Array<[string, () => unknown, string]> = [
    [
      'no element',
      () => render(null as never, { type: 'similar' }, { getRecommendations }),
      'render: container must be an element, got null.',
    ],
    [
      'unknown type',
      () => render(container, { type: 'simlar' as never }, { getRecommendations }),
      'render: type must be one of similar, bought-together, for-you, recently-viewed, trending, got "simlar".',
    ],
    [
      'similar without an itemId',
      () => render(container, { type: 'similar', itemId: '' }, { getRecommendations }),
      'render: itemId must be an item id, got "".',
    ],
    [
      'a title that is not a string',
      () => render(container, { type: 'trending', title: {} as never }, { getRecommendations }),
      'render: title must be a string, got object.',
    ],
    [
      'limit 0',
      () => render(container, { type: 'trending', limit: 0 }, { getRecommendations }),
      'render: limit must be an integer from 1 to 50, got 0.',
    ],
    [
      'limit 51',
      () => render(container, { type: 'trending', limit: 51 }, { getRecommendations }),
      'render: limit must be an integer from 1 to 50, got 51.',
    ],
    [
      'limit 2.5',
      () => render(container, { type: 'trending', limit: 2.5 }, { getRecommendations }),
      'render: limit must be an integer from 1 to 50, got 2.5.',
    ],
    [
      'bad template',
      () =>
        render(
          container,
          { type: 'trending', template: document.createElement('div') as never },
          { getRecommendations },
        ),
      'render: template must be a function or a <template>, got object.',
    ],
    [
      'no getter',
      () => render(container, { type: 'trending' }, undefined as never),
      'render: deps.getRecommendations must be a function',
    ],
  ];
  it.each(cases)('%s', (_name, call, message) => {
    let thrown: unknown;
    try {
      call();
    } catch (e) {
      thrown = e;
    }
    expect(isLikewiseError(thrown, 'INVALID_OPTION')).toBe(true);
    expect((thrown as Error).message).toBe(message);
    // Nothing was left behind.
    expect(container.childNodes).toHaveLength(0);
  });
});

describe('render: text goes in as text (RELIABILITY 18)', () => {
  const evil = '<img src=x onerror=window.__xss=1><script>window.__xss=2</script>';

  it('renders hostile titles, headings and reasons as text, with no foreign elements', async () => {
    show(
      [rec('a', { title: evil, price: 3, currency: 'EUR' }, { kind: 'history', itemId: 'z' })],
      { title: evil, showReason: true, dismissible: true },
      { catalogTitle: () => evil },
    );
    await flush();
    await new Promise((r) => setTimeout(r, 20));
    const root = widget();
    expect(text(root.querySelector('h2'))).toBe(evil);
    expect(text(root.querySelector('.likewise__name'))).toBe(evil);
    expect(text(root.querySelector('.likewise__reason'))).toBe(`Because you viewed ${evil}`);
    expect(root.querySelectorAll('script')).toHaveLength(0);
    // The only element types are the widget's own; the item has no image, so no <img> at all.
    const tags = new Set([...root.querySelectorAll('*')].map((e) => e.localName));
    expect(
      [...tags].every((t) => ['section', 'h2', 'ul', 'li', 'a', 'span', 'p', 'button'].includes(t)),
    ).toBe(true);
    expect(document.querySelectorAll('script, img[src="x"]')).toHaveLength(0);
    expect((window as { __xss?: unknown }).__xss).toBeUndefined();
  });

  it('fills <template> slots as text too', async () => {
    const tpl = document.createElement('template');
    tpl.content.append(document.createElement('b'));
    tpl.content.firstElementChild?.setAttribute('data-field', 'title');
    show([rec('a', { title: evil })], { template: tpl });
    await flush();
    const b = widget().querySelector('b');
    expect(text(b)).toBe(evil);
    expect(b?.children).toHaveLength(0);
    expect((window as { __xss?: unknown }).__xss).toBeUndefined();
  });
});

describe('render: only http(s) and relative URLs reach href/src (RELIABILITY 19)', () => {
  const refused = [
    'javascript:window.__xss=1',
    'JaVaScRiPt:window.__xss=1',
    ' javascript:window.__xss=1',
    '\x01javascript:window.__xss=1',
    'java\tscript:window.__xss=1',
    'java\nscript:window.__xss=1',
    'data:text/html,<script>window.__xss=1</script>',
    'vbscript:msgbox(1)',
    '',
  ];

  it('drops an item whose link URL is refused and keeps the others', async () => {
    show([
      rec('good', { url: 'https://shop.example/good' }),
      ...refused.map((url, i) => rec(`bad${i}`, { url })),
      rec('rel', { url: '../rel?q=1#x' }),
    ]);
    await flush();
    expect(items().map((li) => li.dataset.likewiseItem)).toEqual(['good', 'rel']);
    for (const a of widget().querySelectorAll('a')) expect(a.href).toMatch(/^https?:\/\//);
  });

  it('omits a refused image but keeps the item', async () => {
    show(
      refused.map((image, i) => rec(`i${i}`, { image })),
      { limit: 20 },
    );
    await flush();
    expect(items()).toHaveLength(refused.length);
    expect(widget().querySelectorAll('img')).toHaveLength(0);
  });

  it('checks URLs in function and <template> templates as well', async () => {
    const seen: Recommendation[] = [];
    show([rec('bad', { url: 'javascript:alert(1)' }), rec('ok', { image: 'vbscript:x' })], {
      template: (r) => {
        seen.push(r);
        return document.createTextNode(r.item.title);
      },
    });
    await flush();
    expect(seen.map((r) => r.id)).toEqual(['ok']);
    expect(seen[0].item.url).toBe('http://localhost:3000/p/ok');
    expect(seen[0].item.image).toBeUndefined();
  });
});

describe('render: custom templates', () => {
  it('wraps what a template function returns in a tagged list item, in the light DOM', async () => {
    const template = vi.fn((r: Recommendation, i: number) => {
      const a = document.createElement('a');
      a.className = 'my-card';
      a.href = r.item.url;
      a.textContent = `${i + 1}. ${r.item.title}`;
      return a;
    });
    show([rec('a'), rec('b')], { template });
    await flush();
    const host = container.querySelector('.likewise-host');
    expect(host?.shadowRoot).toBeNull();
    const cards = [...container.querySelectorAll('li[data-likewise-item] > a.my-card')];
    expect(cards.map((c) => c.textContent)).toEqual(['1. Item a', '2. Item b']);
    expect(template).toHaveBeenCalledTimes(2);
    expect(template.mock.calls[1][1]).toBe(1);
  });

  it('fills a <template> by data-field and removes slots without a value', async () => {
    const tpl = document.createElement('template');
    const a = document.createElement('a');
    a.setAttribute('data-field', 'url');
    for (const field of ['image', 'title', 'price', 'reason']) {
      const el = document.createElement(field === 'image' ? 'img' : 'span');
      el.setAttribute('data-field', field);
      el.className = `t-${field}`;
      a.append(el);
    }
    tpl.content.append(a);
    show(
      [
        rec(
          'a',
          { title: 'Lamp', image: '/lamp.jpg', price: 20, currency: 'EUR' },
          { kind: 'history', itemId: 'x' },
        ),
        rec('b', { title: 'Desk' }),
      ],
      { template: tpl, showReason: true },
      { catalogTitle: (id) => (id === 'x' ? 'Chair' : undefined) },
    );
    await flush();
    const [first, second] = items(container);
    expect(first.querySelector('a')?.getAttribute('href')).toBe('http://localhost:3000/p/a');
    expect(first.querySelector('img')?.getAttribute('src')).toBe('http://localhost:3000/lamp.jpg');
    expect(text(first.querySelector('.t-title'))).toBe('Lamp');
    expect(text(first.querySelector('.t-price'))).toBe('€20.00');
    expect(text(first.querySelector('.t-reason'))).toBe('Because you viewed Chair');
    expect(text(second.querySelector('.t-title'))).toBe('Desk');
    expect(second.querySelector('img, .t-price, .t-reason')).toBeNull();
    // The template itself is untouched, so it can be reused.
    expect(tpl.content.querySelector('img')?.hasAttribute('src')).toBe(false);
  });

  it('a template function that throws ends in onError and the empty state', async () => {
    const onError = vi.fn();
    show([rec('a')], {
      onError,
      template: () => {
        throw new Error('bad template');
      },
    });
    await flush();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(isLikewiseError(onError.mock.calls[0][0], 'RENDER')).toBe(true);
    expect(container.classList.contains('likewise--empty')).toBe(true);
  });
});

describe('render: loading, empty and failure states', () => {
  it('reserves the space of `limit` cards before results arrive', async () => {
    const pending = deferred<Recommendation[]>();
    show(pending.promise, { limit: 6 });
    expect(container.classList.contains('likewise--loading')).toBe(true);
    const busy = widget().querySelector('[aria-busy="true"]');
    const skeleton = busy?.querySelector('.likewise__list');
    expect(skeleton?.getAttribute('aria-hidden')).toBe('true');
    expect(skeleton?.querySelectorAll('.likewise__item')).toHaveLength(6);
    // Same card structure as real cards, so the grid keeps its size.
    expect(
      skeleton?.querySelectorAll('.likewise__image, .likewise__name, .likewise__price'),
    ).toHaveLength(18);
    pending.resolve([rec('a')]);
    await flush();
    expect(container.classList.contains('likewise--loading')).toBe(false);
    expect(widget().querySelector('[aria-busy]')).toBeNull();
    expect(items()).toHaveLength(1);
  });

  it('collapses on an empty result', async () => {
    show([]);
    await flush();
    const host = container.querySelector<HTMLElement>('.likewise-host');
    expect(host?.hidden).toBe(true);
    expect(widget().childNodes).toHaveLength(0);
    expect(container.classList.contains('likewise--empty')).toBe(true);
    expect(container.classList.contains('likewise--loading')).toBe(false);
  });

  it('shows the title and an empty message with collapseEmpty: false', async () => {
    show([], { collapseEmpty: false, translations: { empty: 'Rien' } });
    await flush();
    expect(text(widget().querySelector('h2'))).toBe('Similar items');
    expect(text(widget().querySelector('.likewise__empty'))).toBe('Rien');
    expect(container.querySelector<HTMLElement>('.likewise-host')?.hidden).toBe(false);
  });

  it('collapses and calls onError when the getter rejects, without an unhandled rejection', async () => {
    const onError = vi.fn();
    const cause = new Error('offline');
    show(Promise.reject(cause), { onError });
    await flush();
    expect(container.classList.contains('likewise--empty')).toBe(true);
    expect(onError).toHaveBeenCalledTimes(1);
    const error = onError.mock.calls[0][0];
    expect(isLikewiseError(error, 'RENDER')).toBe(true);
    expect(error.message).toBe('render: could not get recommendations');
    expect(error.cause).toBe(cause);
  });

  it('passes a LikewiseError from the getter through unchanged', async () => {
    const onError = vi.fn();
    const failure = new LikewiseError('MODEL_FETCH', 'model: 404');
    show(Promise.reject(failure), { onError });
    await flush();
    expect(onError).toHaveBeenCalledWith(failure);
  });

  it('survives a getter that throws synchronously and an onError that throws', async () => {
    const cleanup = render(
      container,
      {
        type: 'trending',
        lazy: false,
        onError: () => {
          throw new Error('bad handler');
        },
      },
      {
        getRecommendations: () => {
          throw new Error('sync');
        },
      },
    );
    cleanups.push(cleanup);
    await flush();
    expect(container.classList.contains('likewise--empty')).toBe(true);
  });

  it('reports a getter that resolves to something else than a list', async () => {
    const onError = vi.fn();
    show(42 as never, { onError });
    await flush();
    expect(onError).toHaveBeenCalledTimes(1);
    expect(container.classList.contains('likewise--empty')).toBe(true);
  });
});

describe('render: lazy rendering', () => {
  it('asks for data only once the widget nears the viewport', async () => {
    const getRecommendations = vi.fn(async () => [rec('a')]);
    cleanups.push(
      render(container, { type: 'trending' }, { getRecommendations, IntersectionObserver: FakeIO }),
    );
    await flush();
    const io = FakeIntersectionObserver.lazy();
    expect(io?.options.rootMargin).toBe('200px');
    expect(getRecommendations).not.toHaveBeenCalled();
    // Space is reserved meanwhile.
    expect(widget().querySelectorAll('.likewise__item')).toHaveLength(8);
    const host = container.querySelector('.likewise-host') as Element;
    io?.show(host, 0);
    await flush();
    expect(getRecommendations).not.toHaveBeenCalled();
    io?.show(host, 0.01);
    await flush();
    expect(getRecommendations).toHaveBeenCalledTimes(1);
    expect(io?.disconnected).toBe(true);
    expect(items()).toHaveLength(1);
  });

  it('asks at once for a widget already within 200 px of the viewport (or above it), and leaves one further down or without a box to the observer', async () => {
    // happy-dom lays nothing out: the boxes a browser would give.
    const box = (top: number, height = 300) =>
      vi
        .spyOn(HTMLElement.prototype, 'getBoundingClientRect')
        .mockReturnValue({ top, bottom: top + height, height } as DOMRect);
    /** A lazy trending widget in `el` whose box starts at `top`; its getter. */
    const mount = async (el: HTMLElement, top: number, height = 300) => {
      vi.restoreAllMocks();
      FakeIntersectionObserver.reset();
      box(top, height);
      const get = vi.fn(async () => [rec(el === container ? 'a' : 'b')]);
      cleanups.push(
        render(el, { type: 'trending' }, { getRecommendations: get, IntersectionObserver: FakeIO }),
      );
      await flush();
      return get;
    };
    const near = await mount(container, window.innerHeight + 150);
    expect(near).toHaveBeenCalledTimes(1);
    expect(FakeIntersectionObserver.lazy()?.disconnected).toBe(true);
    expect(items()).toHaveLength(1);

    for (const [top, height] of [
      [window.innerHeight + 250, 300],
      [0, 0],
    ]) {
      const other = document.body.appendChild(document.createElement('div'));
      const later = await mount(other, top, height);
      expect(later, `top ${top}, height ${height}`).not.toHaveBeenCalled();
      FakeIntersectionObserver.lazy()?.show(other.querySelector('.likewise-host') as Element, 0.01);
      await flush();
      expect(later).toHaveBeenCalledTimes(1);
    }
    vi.restoreAllMocks();
  });

  it('renders at once where IntersectionObserver is missing', async () => {
    vi.stubGlobal('IntersectionObserver', undefined);
    const getRecommendations = vi.fn(async () => [rec('a')]);
    cleanups.push(render(container, { type: 'trending' }, { getRecommendations }));
    await flush();
    expect(getRecommendations).toHaveBeenCalledTimes(1);
    expect(items()).toHaveLength(1);
  });
});

describe('render: clicks, impressions, dismiss', () => {
  it('reports a link click with position and list id and lets the navigation proceed', async () => {
    const onClick = vi.fn();
    show([rec('a'), rec('b')], { onClick, showReason: true });
    await flush();
    const listId = widget().querySelector('[data-likewise-rec]')?.getAttribute('data-likewise-rec');
    const name = items()[1].querySelector('.likewise__name') as HTMLElement;
    const click = new MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
    name.dispatchEvent(click);
    expect(onClick).toHaveBeenCalledTimes(1);
    expect(onClick.mock.calls[0][0].id).toBe('b');
    expect(onClick.mock.calls[0][1]).toBe(1);
    expect(onClick.mock.calls[0][2]).toBe(listId);
    expect(click.defaultPrevented).toBe(false);
    // Not a link: nothing reported.
    items()[0]
      .querySelector('.likewise__reason')
      ?.dispatchEvent(new MouseEvent('click', { bubbles: true }));
    expect(onClick).toHaveBeenCalledTimes(1);
    // Middle click opens a tab: counted; right click is not.
    const link = items()[0].querySelector('a') as HTMLElement;
    link.dispatchEvent(new MouseEvent('auxclick', { bubbles: true, button: 1 }));
    link.dispatchEvent(new MouseEvent('auxclick', { bubbles: true, button: 2 }));
    expect(onClick).toHaveBeenCalledTimes(2);
    expect(onClick.mock.calls[1][1]).toBe(0);
  });

  it('a throwing onClick goes to onError, not to the page', async () => {
    const onError = vi.fn();
    show([rec('a')], {
      onError,
      onClick: () => {
        throw new Error('host bug');
      },
    });
    await flush();
    items()[0].querySelector('a')?.click();
    expect(onError).toHaveBeenCalledWith(new Error('host bug'));
  });

  it('counts an impression after 1 s at least half visible, once per item', async () => {
    vi.useFakeTimers();
    const onImpression = vi.fn();
    show([rec('a'), rec('b')], { onImpression }, { IntersectionObserver: FakeIO });
    await flush();
    const io = FakeIntersectionObserver.impressions();
    const [a, b] = items();
    const listId = widget().querySelector('[data-likewise-rec]')?.getAttribute('data-likewise-rec');

    io?.show(a, 0.6);
    vi.advanceTimersByTime(999);
    expect(onImpression).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onImpression).toHaveBeenCalledTimes(1);
    expect(onImpression.mock.calls[0][0].id).toBe('a');
    expect(onImpression.mock.calls[0].slice(1)).toEqual([0, listId]);

    // Interrupted visibility restarts the clock; under half never counts.
    io?.show(b, 0.4);
    vi.advanceTimersByTime(5000);
    io?.show(b, 0.5);
    vi.advanceTimersByTime(600);
    io?.show(b, 0.2);
    vi.advanceTimersByTime(600);
    io?.show(b, 1);
    vi.advanceTimersByTime(600);
    expect(onImpression).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(400);
    expect(onImpression).toHaveBeenCalledTimes(2);
    expect(onImpression.mock.calls[1][1]).toBe(1);

    // Once per item per list.
    io?.show(a, 0);
    io?.show(a, 1);
    vi.advanceTimersByTime(5000);
    expect(onImpression).toHaveBeenCalledTimes(2);
  });

  it('"not interested" removes the item at once, calls onDismiss and keeps focus in the list', async () => {
    const onDismiss = vi.fn();
    const onClick = vi.fn();
    show([rec('a', { title: 'Lamp' }), rec('b'), rec('c')], {
      dismissible: true,
      onDismiss,
      onClick,
      translations: { dismiss: 'Kein Interesse' },
    });
    await flush();
    const button = items()[0].querySelector('button') as HTMLButtonElement;
    expect(button.getAttribute('aria-label')).toBe('Kein Interesse: Lamp');
    expect(button.type).toBe('button');
    button.click();
    expect(items().map((li) => li.dataset.likewiseItem)).toEqual(['b', 'c']);
    expect(onDismiss).toHaveBeenCalledTimes(1);
    expect(onDismiss.mock.calls[0][0].id).toBe('a');
    expect(onClick).not.toHaveBeenCalled();
    expect((widget() as ShadowRoot).activeElement).toBe(items()[0].querySelector('a'));
  });

  it('collapses when the last item is dismissed', async () => {
    show([rec('a')], { dismissible: true });
    await flush();
    items()[0].querySelector('button')?.click();
    expect(container.classList.contains('likewise--empty')).toBe(true);
  });

  it('has no dismiss button unless dismissible', async () => {
    show([rec('a')]);
    await flush();
    expect(widget().querySelector('button')).toBeNull();
  });

  it('shows the reason with the viewed item title, translatable, $-patterns kept literally', async () => {
    show(
      [
        rec('a', {}, { kind: 'history', itemId: 'x' }),
        rec('b', {}, { kind: 'trending' }),
        rec('c', {}, { kind: 'history', itemId: 'unknown' }),
      ],
      { showReason: true, translations: { reason: 'Weil du {title} angesehen hast' } },
      { catalogTitle: (id) => (id === 'x' ? 'Mug $& $1' : undefined) },
    );
    await flush();
    const reasons = items().map((li) => text(li.querySelector('.likewise__reason')));
    expect(reasons).toEqual(['Weil du Mug $& $1 angesehen hast', '', '']);
  });

  it('says what happened with the reason item: viewed, in the basket, bought', async () => {
    show(
      [
        rec('a', {}, { kind: 'history', itemId: 'x', via: 'view' }),
        rec('b', {}, { kind: 'history', itemId: 'x', via: 'add_to_cart' }),
        rec('c', {}, { kind: 'history', itemId: 'x', via: 'purchase' }),
      ],
      { showReason: true },
      { catalogTitle: () => 'The Drift of Kyoto (Distant Mysteries, #4)' },
    );
    await flush();
    expect(items().map((li) => text(li.querySelector('.likewise__reason')))).toEqual([
      'Because you viewed The Drift of Kyoto (Distant Mysteries, #4)',
      'Because The Drift of Kyoto (Distant Mysteries, #4) is in your basket',
      'Because you bought The Drift of Kyoto (Distant Mysteries, #4)',
    ]);
  });

  it('refills the slot of a dismissed item with the next recommendation, never one shown or dismissed', async () => {
    const all = [rec('a'), rec('b'), rec('c'), rec('d'), rec('e')];
    const { getRecommendations } = show(
      all,
      { dismissible: true, limit: 3 },
      { IntersectionObserver: FakeIO },
    );
    await flush();
    items()[0].querySelector('button')!.click();
    await flush();
    expect(items().map((li) => li.dataset.likewiseItem)).toEqual(['b', 'c', 'd']);
    expect(getRecommendations).toHaveBeenLastCalledWith({
      type: 'similar',
      itemId: 'sku-0',
      limit: 4,
    });
    items()[0].querySelector('button')!.click();
    await flush();
    expect(items().map((li) => li.dataset.likewiseItem)).toEqual(['c', 'd', 'e']);
    // The refilled card is watched for impressions like the others.
    expect(FakeIntersectionObserver.impressions()?.targets.has(items()[2])).toBe(true);
  });

  it('has no reason line unless showReason', async () => {
    show([rec('a', {}, { kind: 'history', itemId: 'x' })], {}, { catalogTitle: () => 'X' });
    await flush();
    expect(widget().querySelector('.likewise__reason')).toBeNull();
  });
});

describe('render: cleanup', () => {
  it('removes the widget, its classes and listeners, and is safe to call twice', async () => {
    vi.useFakeTimers();
    const onClick = vi.fn();
    const onImpression = vi.fn();
    const { cleanup } = show(
      [rec('a')],
      { onClick, onImpression },
      { IntersectionObserver: FakeIO },
    );
    await flush();
    const link = items()[0].querySelector('a') as HTMLElement;
    const li = items()[0];
    const io = FakeIntersectionObserver.impressions();
    io?.show(li, 1);
    cleanup();
    cleanup();
    expect(container.childNodes).toHaveLength(0);
    expect(container.className).toBe('');
    expect(io?.disconnected).toBe(true);
    link.click();
    vi.advanceTimersByTime(5000);
    expect(onClick).not.toHaveBeenCalled();
    expect(onImpression).not.toHaveBeenCalled();
  });

  it('ignores a result that arrives after cleanup', async () => {
    const pending = deferred<Recommendation[]>();
    const onError = vi.fn();
    const { cleanup } = show(pending.promise, { onError });
    await flush();
    cleanup();
    pending.resolve([rec('a')]);
    await flush();
    expect(container.childNodes).toHaveLength(0);
    expect(onError).not.toHaveBeenCalled();
  });

  it('does not call the getter when cleaned up before loading', async () => {
    const { cleanup, getRecommendations } = show([rec('a')]);
    cleanup();
    await flush();
    expect(getRecommendations).not.toHaveBeenCalled();
  });
});

describe('render: styles under a strict CSP', () => {
  it('adopts one shared constructed stylesheet and writes no <style> or style attribute', async () => {
    show([rec('a', { image: '/a.jpg', price: 1, currency: 'EUR' })], { dismissible: true });
    const other = document.createElement('div');
    document.body.append(other);
    cleanups.push(
      render(
        other,
        { type: 'trending', lazy: false },
        { getRecommendations: async () => [rec('b')] },
      ),
    );
    await flush();
    const first = widget() as ShadowRoot;
    const second = widget(other) as ShadowRoot;
    expect(first.mode).toBe('open');
    expect(first.adoptedStyleSheets).toHaveLength(1);
    expect(first.adoptedStyleSheets[0]).toBe(second.adoptedStyleSheets[0]);
    const css = [...first.adoptedStyleSheets[0].cssRules].map((r) => r.cssText).join('');
    expect(css).toContain('--likewise-gap');
    for (const root of [document, first, second]) {
      expect(root.querySelectorAll('style, [style]')).toHaveLength(0);
    }
  });

  it('renders unstyled but usable where constructable stylesheets are missing', async () => {
    vi.resetModules();
    vi.stubGlobal(
      'CSSStyleSheet',
      class {
        constructor() {
          throw new TypeError('Illegal constructor');
        }
      },
    );
    const fresh = await import('../../src/widgets/render');
    cleanups.push(
      fresh.render(
        container,
        { type: 'trending', lazy: false },
        { getRecommendations: async () => [rec('a')] },
      ),
    );
    await flush();
    const root = widget() as ShadowRoot;
    expect(root.adoptedStyleSheets).toHaveLength(0);
    expect(root.querySelectorAll('style')).toHaveLength(0);
    expect(root.querySelector('a')?.getAttribute('href')).toBe('http://localhost:3000/p/a');
  });
});
