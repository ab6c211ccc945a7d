// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { autoTrack } from '../../src/track/autoTrack';
import { pageItemId } from '../../src/track/pageItemId';
import { validateEvent } from '../../src/track/validateEvent';
import type { CatalogItem, TrackInput } from '../../src/types';
import { failOnUnhandled, setHtml } from '../support/fakeStores';

failOnUnhandled();

/** A `track` double that validates like the real one (so refused events throw). */
function recorder() {
  const events: TrackInput[] = [];
  return { events, track: (input: TrackInput) => events.push(validateEvent(input)) };
}

function ld(json: unknown | string): HTMLScriptElement {
  const s = document.createElement('script');
  s.type = 'application/ld+json';
  s.textContent = typeof json === 'string' ? json : JSON.stringify(json);
  return s;
}

const product = {
  '@context': 'https://schema.org',
  '@type': 'Product',
  sku: 'sku-1',
  name: 'Red shoe',
  url: 'https://shop.example/p/sku-1',
  image: ['https://shop.example/i/1.jpg'],
  category: 'Shoes',
  brand: { '@type': 'Brand', name: 'Acme' },
  offers: {
    '@type': 'Offer',
    price: '49.90',
    priceCurrency: 'EUR',
    availability: 'https://schema.org/InStock',
  },
};

const flush = () => new Promise((r) => setTimeout(r, 0));
let stops: (() => void)[] = [];
const start = (...args: Parameters<typeof autoTrack>) => {
  const stop = autoTrack(...args);
  stops.push(stop);
  return stop;
};

afterEach(() => {
  for (const s of stops) s();
  stops = [];
  document.head.replaceChildren();
  document.body.replaceChildren();
});

describe('autoTrack: product pages', () => {
  it('tracks one view from schema.org Product JSON-LD and reports the catalogue item', () => {
    document.head.append(ld(product));
    const r = recorder();
    const items: CatalogItem[] = [];
    start(r, document, { onItem: (i) => items.push(i) });
    expect(r.events).toEqual([{ type: 'view', itemId: 'sku-1', price: 49.9, currency: 'EUR' }]);
    expect(items).toEqual([
      {
        id: 'sku-1',
        title: 'Red shoe',
        url: 'https://shop.example/p/sku-1',
        image: 'https://shop.example/i/1.jpg',
        price: 49.9,
        currency: 'EUR',
        category: 'Shoes',
        brand: 'Acme',
        inStock: true,
      },
    ]);
  });

  it('finds Products in @graph and top-level arrays, with productID as fallback id', () => {
    document.head.append(
      ld({
        '@graph': [
          { '@type': 'WebPage', name: 'x' },
          {
            '@type': ['Product', 'Thing'],
            productID: 77,
            name: 'Lamp',
            offers: [{ price: 10, availability: 'OutOfStock' }],
          },
        ],
      }),
    );
    const r = recorder();
    const items: CatalogItem[] = [];
    start(r, document, { onItem: (i) => items.push(i) });
    expect(r.events).toEqual([{ type: 'view', itemId: '77', price: 10 }]);
    expect(items[0]).toMatchObject({ id: '77', title: 'Lamp', price: 10, inStock: false });
    // No url in the markup: the page's own address.
    expect(items[0].url).toBe(location.href);
  });

  it('finds a Product nested anywhere, e.g. as the mainEntity of a WebPage', () => {
    document.head.append(
      ld({
        '@type': 'WebPage',
        mainEntity: { '@type': 'https://schema.org/Product', sku: 'deep', name: 'Deep' },
      }),
    );
    const r = recorder();
    const items: CatalogItem[] = [];
    start(r, document, { onItem: (i) => items.push(i) });
    expect(r.events).toEqual([{ type: 'view', itemId: 'deep' }]);
    expect(items.map((i) => i.id)).toEqual(['deep']);
  });

  it('views only the main product; other Product nodes only feed the catalogue', () => {
    document.head.append(
      ld([
        { ...product, sku: 'main' },
        { ...product, sku: 'related' },
      ]),
    );
    const r = recorder();
    const items: CatalogItem[] = [];
    start(r, document, { onItem: (i) => items.push(i) });
    expect(r.events.map((e) => e.itemId)).toEqual(['main']);
    expect(items.map((i) => i.id)).toEqual(['main', 'related']);
  });

  it('ignores bad JSON-LD (reported) and still tracks the rest', () => {
    document.head.append(ld('{ not json'), ld({ '@type': 'Product', name: 'no id' }), ld(product));
    const r = recorder();
    const errors: unknown[] = [];
    start(r, document, { onError: (e) => errors.push(e) });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SyntaxError);
    expect(r.events.map((e) => e.itemId)).toEqual(['sku-1']);
  });

  it('drops a malformed price or currency rather than the view', () => {
    document.head.append(
      ld({ '@type': 'Product', sku: 'a', offers: { price: 'call us', priceCurrency: 'euros' } }),
    );
    const r = recorder();
    start(r);
    expect(r.events).toEqual([{ type: 'view', itemId: 'a' }]);
  });

  it('tracks data-likewise-view, once per item and page', () => {
    setHtml(
      document.body,
      '<main data-likewise-view="sku-9"></main><div data-likewise-view="sku-9"></div>',
    );
    const r = recorder();
    start(r);
    expect(r.events).toEqual([{ type: 'view', itemId: 'sku-9' }]);
  });

  it('re-scans when new product markup appears (SPA route change)', async () => {
    const r = recorder();
    start(r);
    expect(r.events).toEqual([]);
    history.pushState({}, '', '/p/2');
    const main = document.createElement('main');
    main.setAttribute('data-likewise-view', 'sku-2');
    document.body.append(main);
    await flush();
    history.pushState({}, '', '/p/3');
    document.head.append(ld({ ...product, sku: 'sku-3' }));
    await flush();
    // The same element re-used for the next product.
    history.pushState({}, '', '/p/4');
    main.setAttribute('data-likewise-view', 'sku-4');
    await flush();
    expect(r.events.map((e) => e.itemId)).toEqual(['sku-2', 'sku-3', 'sku-4']);
  });

  it('waits for DOMContentLoaded while the document is loading', () => {
    const r = recorder();
    Object.defineProperty(document, 'readyState', { value: 'loading', configurable: true });
    setHtml(document.body, '<main data-likewise-view="late"></main>');
    start(r, document, { observe: false });
    expect(r.events).toEqual([]);
    delete (document as { readyState?: string }).readyState;
    document.dispatchEvent(new Event('DOMContentLoaded'));
    expect(r.events.map((e) => e.itemId)).toEqual(['late']);
    expect(document.readyState).not.toBe('loading');
  });
});

describe('autoTrack: clicks and cart', () => {
  it('tracks a click on a link inside data-likewise-item, with rec and pos from ancestors', () => {
    setHtml(
      document.body,
      `
      <ul data-likewise-rec="rec-42">
        <li data-likewise-item="sku-5" data-likewise-pos="3"><a href="/p/5"><span id="t">Shoe</span></a></li>
        <li data-likewise-item="sku-6"><span id="nolink">Hat</span></li>
      </ul>`,
    );
    const r = recorder();
    start(r);
    document.getElementById('t')!.click();
    document.getElementById('nolink')!.click();
    expect(r.events).toEqual([{ type: 'click', itemId: 'sku-5', rec: 'rec-42', pos: 3 }]);
  });

  it('leaves out a malformed position instead of losing the click', () => {
    setHtml(
      document.body,
      '<div data-likewise-item="a" data-likewise-pos="first"><a id="l" href="/a">a</a></div>',
    );
    const r = recorder();
    start(r);
    document.getElementById('l')!.click();
    expect(r.events).toEqual([{ type: 'click', itemId: 'a' }]);
  });

  it('tracks add_to_cart from data-likewise-cart, with price, currency and quantity', () => {
    setHtml(
      document.body,
      `
      <button data-likewise-cart="sku-7" data-likewise-price="19.5" data-likewise-currency="usd"
        data-likewise-quantity="2"><b id="in">Add</b></button>
      <button id="plain" data-likewise-cart="sku-8" data-likewise-price="n/a">Add</button>`,
    );
    const r = recorder();
    start(r);
    document.getElementById('in')!.click();
    document.getElementById('plain')!.click();
    expect(r.events).toEqual([
      { type: 'add_to_cart', itemId: 'sku-7', price: 19.5, currency: 'USD', quantity: 2 },
      { type: 'add_to_cart', itemId: 'sku-8' },
    ]);
  });

  it('reports a refused event instead of throwing into the page', () => {
    setHtml(
      document.body,
      `<div data-likewise-item="${'x'.repeat(300)}"><a id="l" href="/x">x</a></div>`,
    );
    const r = recorder();
    const errors: unknown[] = [];
    start(r, document, { onError: (e) => errors.push(e) });
    document.getElementById('l')!.click();
    expect(r.events).toEqual([]);
    expect((errors[0] as Error).message).toBe(
      `itemId must be a string of 1 to 256 characters, got "${'x'.repeat(40)}…".`,
    );
  });

  it('only watches inside the given root', () => {
    setHtml(
      document.body,
      `
      <section id="root"><div data-likewise-item="in"><a id="a" href="/in">in</a></div></section>
      <div data-likewise-item="out"><a id="b" href="/out">out</a></div>
      <div data-likewise-view="outside"></div>`,
    );
    const r = recorder();
    start(r, document.getElementById('root')!);
    document.getElementById('a')!.click();
    document.getElementById('b')!.click();
    expect(r.events).toEqual([{ type: 'click', itemId: 'in' }]);
  });

  it('cleanup removes the listener and the observer', async () => {
    setHtml(document.body, '<div data-likewise-item="a"><a id="l" href="/a">a</a></div>');
    const r = recorder();
    const stop = start(r);
    stop();
    document.getElementById('l')!.click();
    const main = document.createElement('main');
    main.setAttribute('data-likewise-view', 'later');
    document.body.append(main);
    await flush();
    expect(r.events).toEqual([]);
  });
});

describe('autoTrack: listings, orders, searches, removals', () => {
  it('a schema.org ItemList page records no view, and its products still feed the catalogue', () => {
    document.head.append(
      ld({
        '@type': 'ItemList',
        itemListElement: [
          { '@type': 'ListItem', position: 1, item: { ...product, sku: 'l-1' } },
          { '@type': 'ListItem', position: 2, item: { ...product, sku: 'l-2' } },
        ],
      }),
    );
    const r = recorder();
    const items: CatalogItem[] = [];
    start(r, document, { onItem: (i) => items.push(i) });
    expect(r.events).toEqual([]);
    expect(items.map((i) => i.id)).toEqual(['l-1', 'l-2']);
    expect(pageItemId(document)).toBeUndefined();
  });

  it("pageItemId names the product page's item from data-likewise-view or JSON-LD", () => {
    document.head.append(ld({ '@graph': [{ '@type': 'Organization' }, product] }));
    expect(pageItemId(document)).toBe('sku-1');
    setHtml(document.body, '<main data-likewise-view="sku-9"></main>');
    expect(pageItemId(document)).toBe('sku-9');
  });

  it('an order confirmation with data-likewise-purchase is one purchase, however often it is scanned', async () => {
    const r = recorder();
    start(r, document);
    setHtml(
      document.body,
      `<section data-likewise-purchase="order-7" data-likewise-currency="EUR">
        <p data-likewise-item="a" data-likewise-price="9.99" data-likewise-quantity="2">A</p>
        <p data-likewise-item="b" data-likewise-price="oops">B</p>
      </section>`,
    );
    await flush();
    document.body.append(document.createElement('div'));
    await flush();
    expect(r.events).toEqual([
      {
        type: 'purchase',
        currency: 'EUR',
        items: [{ itemId: 'a', price: 9.99, quantity: 2 }, { itemId: 'b' }],
      },
    ]);
  });

  it('submitting a search form is a search with its query; other forms are not', () => {
    setHtml(
      document.body,
      `<form role="search" id="s"><input name="q" value="  dragons  "><button>Go</button></form>
       <form id="login"><input name="user" value="me"></form>
       <form id="empty"><input type="search" value=" "></form>`,
    );
    const r = recorder();
    start(r, document);
    for (const id of ['s', 'login', 'empty'])
      document
        .getElementById(id)!
        .dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    expect(r.events).toEqual([{ type: 'search', query: 'dragons' }]);
  });

  it('a click on data-likewise-remove is a remove_from_cart with its quantity', () => {
    setHtml(
      document.body,
      '<div data-likewise-quantity="3"><button data-likewise-remove="sku-4">Remove</button></div>',
    );
    const r = recorder();
    start(r, document);
    (document.querySelector('button') as HTMLButtonElement).click();
    expect(r.events).toEqual([{ type: 'remove_from_cart', itemId: 'sku-4', quantity: 3 }]);
  });
});
