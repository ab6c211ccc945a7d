/** Formatters by locale and currency: building one costs far more than formatting. */
const formats = new Map<string, Intl.NumberFormat>();

/**
 * Formats a price for display with `Intl.NumberFormat`, never throwing.
 *
 * @param price - the amount; anything but a finite number gives `''`
 * @param currency - ISO 4217 code (e.g. `EUR`); without one, a plain number is shown
 * @param locale - BCP 47 tag, e.g. the page's `<html lang>`; `en_US` is read as `en-US`.
 *   An invalid locale or currency falls back to the browser default rather than failing.
 * @example
 * formatPrice(12.5, 'EUR', 'de-DE') // '12,50 €'
 */
export function formatPrice(price: unknown, currency?: string, locale?: string): string {
  if (typeof price !== 'number' || !Number.isFinite(price)) return '';
  // Page locale with currency, else the browser's locale with currency, else a plain number.
  for (const [l, c] of [[locale?.replace(/_/g, '-'), currency], [undefined, currency], []])
    try {
      const key = l + ' ' + c;
      let f = formats.get(key);
      if (!f) {
        f = new Intl.NumberFormat(l, c ? { style: 'currency', currency: c } : {});
        formats.set(key, f);
      }
      return f.format(price);
    } catch {}
  return '';
}
