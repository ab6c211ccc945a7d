import type { CatalogItem, TrackInput } from '../types';

/** Options of {@link autoTrack}. */
export interface AutoTrackOptions {
  /** Receives every schema.org `Product` found in JSON-LD, as a catalogue entry (with a `title` and `url`). */
  onItem?: (item: CatalogItem) => void;
  /** Receives bad JSON-LD, refused events and throwing callbacks. */
  onError?: (error: unknown) => void;
  /** Watch for product markup added later (SPA route changes); default `true`. */
  observe?: boolean;
}

/** Anything with a `track()`: a likewise instance, or a test double. */
export interface Tracks {
  track(input: TrackInput): unknown;
}

type Json = Record<string, unknown>;

const LD = 'script[type="application/ld+json"]';
const VIEW = 'data-likewise-view';

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined;
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() ? Number(v) : Number.NaN;
  return n >= 0 && n < Infinity ? n : undefined;
};
/** A non-negative integer, else `undefined`: a bad decoration must not cost the event. */
const int = (v: unknown): number | undefined => {
  const n = num(v);
  return Number.isInteger(n) ? n : undefined;
};
const cur = (v: unknown): string | undefined =>
  typeof v === 'string' && /^[a-z]{3}$/i.test(v) ? v : undefined;
const first = (v: unknown): unknown => (Array.isArray(v) ? v[0] : v);
const isProduct = (n: Json) =>
  [n['@type']].flat().some((t) => typeof t === 'string' && /(^|[/:])Product$/.test(t));

/** Every `Product` node of a JSON-LD document: top level, arrays and `@graph`. */
const products = (doc: unknown, out: Json[] = []): Json[] => {
  if (Array.isArray(doc)) for (const d of doc) products(d, out);
  else if (doc && typeof doc === 'object') {
    const n = doc as Json;
    if (isProduct(n)) out.push(n);
    if (n['@graph']) products(n['@graph'], out);
    if (n.mainEntity) products(n.mainEntity, out);
  }
  return out;
};

/** A catalogue entry from a schema.org `Product`, or `undefined` without an id. */
const toItem = (p: Json, pageUrl: string): CatalogItem | undefined => {
  const id = str(p.sku) ?? str(p.productID);
  if (!id) return;
  const offer = (first(p.offers) ?? {}) as Json;
  const image = first(p.image);
  const brand = p.brand as Json | string | undefined;
  const availability = str(offer.availability);
  const item = {
    id,
    title: str(p.name) as string,
    url: str(p.url) ?? pageUrl,
    image: str(image) ?? str((image as Json)?.url),
    price: num(offer.price) ?? num(offer.lowPrice),
    currency: str(offer.priceCurrency),
    category: str(first(p.category)),
    brand: typeof brand === 'object' ? str(brand?.name) : str(brand),
    inStock: availability ? /InStock$/.test(availability) : undefined,
  };
  for (const k in item) if ((item as Json)[k] === undefined) delete (item as Json)[k];
  return item;
};

/**
 * Tracks what the page shows by itself, with one delegated `click` listener
 * on `root` and (by default) a MutationObserver:
 * - a product page: a schema.org `Product` in `<script type="application/ld+json">`
 *   (also inside arrays and `@graph`; id from `sku`, else `productID`; price and
 *   currency from `offers`) or an element with `data-likewise-view="ID"` gives one
 *   `view` per item and page URL; markup added later (SPA) is scanned too;
 * - a click on a link inside `data-likewise-item="ID"` is a `click` on that item,
 *   with `rec` and `pos` from `data-likewise-rec` / `data-likewise-pos` on an ancestor;
 * - a click on (or inside) `data-likewise-cart="ID"` is an `add_to_cart`, with
 *   `data-likewise-price`, `data-likewise-currency` and `data-likewise-quantity` when present.
 *
 * Bad JSON-LD and refused events go to `onError`; nothing throws into the page.
 * If the document is still loading, the first scan waits for `DOMContentLoaded`.
 *
 * @param lw - the instance to track into
 * @param root - where to look and listen; default `document`
 * @param options - see {@link AutoTrackOptions}
 * @returns a cleanup that removes the listener and the observer
 * @example
 * const stop = autoTrack(lw, document, { onItem: (item) => catalog.add(item) })
 */
export function autoTrack(
  lw: Tracks,
  root: Document | Element = document,
  options: AutoTrackOptions = {},
): () => void {
  const { onItem, onError = () => {}, observe = true } = options;
  const doc = (root.ownerDocument ?? root) as Document;
  const seenEls = new WeakSet<Element>();
  const viewed = new Set<string>();
  const send = (input: TrackInput) => {
    try {
      Promise.resolve(lw.track(input)).catch(onError);
    } catch (e) {
      onError(e);
    }
  };
  const view = (itemId: string, extra?: { price?: number; currency?: string }) => {
    const key = doc.location?.href + ' ' + itemId;
    if (viewed.has(key)) return;
    viewed.add(key);
    send({ type: 'view', itemId, ...extra });
  };

  const scan = () => {
    for (const el of root.querySelectorAll(`[${VIEW}],${LD}`)) {
      if (seenEls.has(el)) continue;
      seenEls.add(el);
      const id = el.getAttribute(VIEW);
      if (id !== null) {
        view(id);
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(el.textContent ?? '');
      } catch (e) {
        onError(e);
        continue;
      }
      let tracked = false;
      for (const p of products(json)) {
        const item = toItem(p, doc.location?.href ?? '');
        if (!item) continue;
        // Only the page's main product is a view; further Product nodes (related items) only feed the catalogue.
        if (!tracked) view(item.id, { price: item.price, currency: cur(item.currency) });
        tracked = true;
        try {
          if (item.title) onItem?.(item);
        } catch (e) {
          onError(e);
        }
      }
    }
  };

  const attr = (el: Element, name: string) =>
    el.closest(`[${name}]`)?.getAttribute(name) ?? undefined;
  const onClick = (ev: Event) => {
    const t = ev.target as Element | null;
    if (!t?.closest) return;
    const cart = t.closest('[data-likewise-cart]');
    if (cart) {
      send({
        type: 'add_to_cart',
        itemId: cart.getAttribute('data-likewise-cart')!,
        price: num(cart.getAttribute('data-likewise-price')),
        currency: cur(cart.getAttribute('data-likewise-currency')),
        quantity: int(cart.getAttribute('data-likewise-quantity')) || undefined,
      });
      return;
    }
    const link = t.closest('a[href]');
    const itemId = link && attr(link, 'data-likewise-item');
    if (!itemId) return;
    send({
      type: 'click',
      itemId,
      rec: attr(link, 'data-likewise-rec'),
      pos: int(attr(link, 'data-likewise-pos')),
    });
  };

  let observer: MutationObserver | undefined;
  let stopped = false;
  const start = () => {
    if (stopped) return;
    scan();
    const MO = doc.defaultView?.MutationObserver;
    if (observe && MO) {
      observer = new MO((records) => {
        for (const r of records) {
          if (r.type === 'attributes') seenEls.delete(r.target as Element);
        }
        scan();
      });
      observer.observe(root, {
        childList: true,
        subtree: true,
        attributes: true,
        attributeFilter: [VIEW],
      });
    }
  };
  root.addEventListener('click', onClick, true);
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start, { once: true });
  else start();

  return () => {
    stopped = true;
    root.removeEventListener('click', onClick, true);
    doc.removeEventListener('DOMContentLoaded', start);
    observer?.disconnect();
  };
}
