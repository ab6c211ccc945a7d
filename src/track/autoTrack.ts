import type { CatalogItem, TrackInput } from '../types';
import { JSON_LD, type Json, productId, str, VIEW } from './pageItemId';
import { isAmount, isCurrency } from './validateEvent';

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

const PURCHASE = 'data-likewise-purchase';
/** The query field of a search form. */
const SEARCH = 'input[type=search],input[name=q],input[name=query],input[name=s]';

/** A non-negative finite number (also from a string like `"49.90"`), else `undefined`. */
const num = (v: unknown): number | undefined => {
  const n = Number.parseFloat(v as string);
  return isAmount(n) ? n : undefined;
};
/** A non-negative integer, else `undefined`: a bad decoration must not cost the event. */
const int = (v: unknown): number | undefined => {
  const n = num(v);
  return Number.isInteger(n) ? n : undefined;
};
const cur = (v: unknown): string | undefined => (isCurrency(v) ? v : undefined);
const one = (v: unknown): Json => [v].flat()[0];
/** `data-likewise-<name>` on `el` or its closest ancestor that has it. */
const up = (el: Element, name: string): string | undefined => {
  const n = `data-likewise-${name}`;
  return el.closest?.(`[${n}]`)?.getAttribute(n) as string | undefined;
};
/** Price, currency and quantity from `el` or its ancestors, each left out when malformed. */
const money = (el: Element) => ({
  price: num(up(el, 'price')),
  currency: cur(up(el, 'currency')),
  quantity: int(up(el, 'quantity')) || undefined,
});

/**
 * Tracks what the page shows by itself, with one delegated `click` listener
 * on `root` and (by default) a MutationObserver:
 * - a product page: a schema.org `Product` in `<script type="application/ld+json">`
 *   (anywhere in the document: top level, arrays, `@graph`, `mainEntity`; id from
 *   `sku`, else `productID`; price, currency and availability from the first of
 *   `offers`) or an element with `data-likewise-view="ID"` gives one `view` per
 *   item and page URL; markup added later (SPA) is scanned too;
 * - a click on a link inside `data-likewise-item="ID"` is a `click` on that item,
 *   with `rec` and `pos` from `data-likewise-rec` / `data-likewise-pos` on an ancestor;
 * - a click on (or inside) `data-likewise-cart="ID"` is an `add_to_cart`, and
 *   on `data-likewise-remove="ID"` a `remove_from_cart`, with
 *   `data-likewise-price`, `data-likewise-currency` and `data-likewise-quantity`
 *   (on that element or an ancestor) when well-formed;
 * - an order confirmation, `data-likewise-purchase="ORDER-ID"` around
 *   `data-likewise-item="ID"` lines (each with `data-likewise-price` and
 *   `data-likewise-quantity`; `data-likewise-currency` on the confirmation),
 *   is one `purchase` per order id and page;
 * - submitting a search form (an `input[type=search]`, or a query field
 *   named `q`, `query` or `s` inside `<search>` or `role="search"`) is a
 *   `search` with its query;
 * - products listed in a schema.org `ItemList` (`itemListElement`) feed the
 *   catalogue but are not viewed: a listing page records no view.
 *
 * Bad JSON-LD, refused events and a throwing `onItem` go to `onError`; nothing
 * throws into the page. If the document is still loading, the first scan waits
 * for `DOMContentLoaded`.
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
  { onItem, onError = () => {}, observe = true }: AutoTrackOptions = {},
): () => void {
  const doc = root.ownerDocument ?? (root as Document);
  /** Elements already read, with the `data-likewise-view` they had (`null`: JSON-LD). */
  const seen = new WeakMap<Element, string | null>();
  /** What was sent once already: views as `<page URL> <item id>`, purchases as ` <order id>`. */
  const sent = new Set<string>();
  const send = (input: TrackInput, once?: string) => {
    if (sent.has(once as string)) return;
    if (once) sent.add(once);
    try {
      lw.track(input);
    } catch (e) {
      onError(e);
    }
  };
  const view = (itemId: string, price?: number, currency?: string) =>
    send({ type: 'view', itemId, price, currency }, `${doc.URL} ${itemId}`);

  const purchase = (el: Element) => {
    // A line's currency is the confirmation's (the schema keeps none per line).
    const items = [...el.querySelectorAll('[data-likewise-item]')].map((line) => ({
      itemId: up(line, 'item') as string,
      ...money(line),
    }));
    // An empty confirmation (lines still loading) is read again when they appear.
    if (items.length)
      send(
        { type: 'purchase', items, currency: cur(up(el, 'currency')) },
        ` ${el.getAttribute(PURCHASE)}`,
      );
  };

  const scan = () => {
    for (const el of root.querySelectorAll(`[${PURCHASE}]`)) purchase(el);
    for (const el of root.querySelectorAll(`[${VIEW}],${JSON_LD}`)) {
      const id = el.getAttribute(VIEW);
      if (seen.get(el) === id) continue;
      seen.set(el, id);
      if (id != null) view(id);
      else {
        // Only the page's main (first) product is a view; the others only feed
        // the catalogue, and so do products listed in an ItemList (a listing
        // page views none of them).
        let main = true;
        const walk = (n: Json, listed = false) => {
          if (!n || typeof n !== 'object') return;
          const id = productId(n);
          if (id) {
            const offer = one(n.offers) ?? {};
            const item = {
              id,
              title: str(n.name) as string,
              url: str(n.url) ?? doc.URL,
              image: str(one(n.image)?.url ?? one(n.image)),
              price: num(offer.price ?? offer.lowPrice),
              currency: cur(offer.priceCurrency),
              category: str(one(n.category)),
              brand: str(n.brand?.name ?? n.brand),
              inStock: offer.availability && /InStock$/.test(offer.availability),
            };
            if (main && !listed) view(id, item.price, item.currency);
            main = false;
            if (item.title) onItem?.(item);
          }
          for (const k in n) walk(n[k], listed || k === 'itemListElement');
        };
        try {
          walk(JSON.parse(el.textContent as string));
        } catch (e) {
          onError(e);
        }
      }
    }
  };

  const onClick = (ev: Event) => {
    const t = ev.target as Element;
    const a = (name: string) => up(t, name);
    const cart = a('cart') ?? a('remove');
    const itemId = cart ?? (t.closest?.('a[href]') && a('item'));
    if (itemId)
      send(
        cart
          ? { type: a('cart') ? 'add_to_cart' : 'remove_from_cart', itemId, ...money(t) }
          : { type: 'click', itemId, rec: a('rec'), pos: int(a('pos')) },
      );
  };

  const onSubmit = (ev: Event) => {
    const form = ev.target as HTMLFormElement;
    const input = form.querySelector?.<HTMLInputElement>(SEARCH);
    const query = input?.value.trim().slice(0, 256);
    if (query && (input!.type === 'search' || form.closest('search,[role=search]')))
      send({ type: 'search', query });
  };

  let observer: MutationObserver | undefined;
  const start = () => {
    scan();
    // attributeFilter implies `attributes: true`.
    if (observe) {
      observer = new MutationObserver(scan);
      observer.observe(root, {
        childList: true,
        subtree: true,
        attributeFilter: [VIEW, PURCHASE],
      });
    }
  };
  root.addEventListener('click', onClick, true);
  root.addEventListener('submit', onSubmit, true);
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', start);
  else start();

  return () => {
    root.removeEventListener('click', onClick, true);
    root.removeEventListener('submit', onSubmit, true);
    doc.removeEventListener('DOMContentLoaded', start);
    observer?.disconnect();
  };
}
