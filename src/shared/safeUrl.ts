/**
 * Checks a URL from catalogue data before it reaches an `href` or `src`.
 *
 * The URL is parsed with `new URL(raw, base)`, so the browser's own parser
 * decides the scheme: tricks such as `JaVaScRiPt:`, a leading space, `\x01`,
 * or a `\t`/`\n` inside the scheme are normalised by the parser first and then
 * refused by the allow-list. Only `http:` and `https:` pass (relative paths
 * pass because they resolve against `base`).
 *
 * @param raw - the URL as found in the data (anything; non-strings are refused)
 * @param base - base for relative URLs; default `location.href`
 * @returns the absolute, normalised URL, or `undefined` when it is refused
 * @example
 * safeUrl('/p/sku-1', 'https://shop.example/') // 'https://shop.example/p/sku-1'
 * safeUrl('javascript:alert(1)') // undefined
 */
export function safeUrl(raw: unknown, base?: string): string | undefined {
  // Empty/blank would resolve to the page itself; a huge string is tampered data.
  if (typeof raw !== 'string' || !raw.trim() || raw.length > 4096) return undefined;
  try {
    const url = new URL(raw, base ?? globalThis.location?.href);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url.href;
  } catch {
    // Unparsable: refused.
  }
  return undefined;
}
