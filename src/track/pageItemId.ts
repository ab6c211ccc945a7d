/**
 * How auto-tracking reads schema.org products, shared with the widget part:
 * which item a product page is about. Apart from `autoTrack` so that a
 * storefront that does not auto-track (the npm default) loads none of it
 * before its widgets.
 */

// biome-ignore lint/suspicious/noExplicitAny: JSON-LD is untrusted input of any shape.
export type Json = any;

/** The attribute that names a product page's item. */
export const VIEW = 'data-likewise-view';
/** Where products are described. */
export const JSON_LD = 'script[type="application/ld+json"]';

/** A non-empty string (numbers written as ids count), else `undefined`. */
export const str = (v: unknown): string | undefined =>
  (typeof v === 'string' && v) || typeof v === 'number' ? `${v}` : undefined;

/** The id of a schema.org `Product` node (`sku`, else `productID`), else `undefined`. */
export const productId = (n: Json): string | undefined => {
  const id = str(n.sku) ?? str(n.productID);
  return id && [n['@type']].flat().some((t) => /(^|[/:])Product$/.test(t)) ? id : undefined;
};

/**
 * The item the page is about, as auto-tracking reads it: the first
 * `data-likewise-view`, else the first schema.org `Product` in JSON-LD that is
 * not listed in an `ItemList`; `undefined` on other pages. Never throws.
 *
 * @example pageItemId(document) // 'sku-1' on that product's page
 */
export function pageItemId(doc: Document | undefined): string | undefined {
  const marked = doc?.querySelector(`[${VIEW}]`)?.getAttribute(VIEW);
  if (marked) return marked;
  let found: string | undefined;
  const walk = (n: Json, listed: boolean): void => {
    if (found || !n || typeof n !== 'object') return;
    const id = productId(n);
    if (id) {
      if (!listed) found = id;
      // Only the first product can be the page's: see autoTrack.
      found ??= '';
      return;
    }
    for (const k in n) walk(n[k], listed || k === 'itemListElement');
  };
  for (const el of doc?.querySelectorAll(JSON_LD) ?? [])
    try {
      walk(JSON.parse(el.textContent as string), false);
    } catch {}
  return found || undefined;
}
