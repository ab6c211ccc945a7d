/**
 * The default widget stylesheet (adopted into each widget's shadow root).
 *
 * Theme it from the host page with CSS custom properties, which inherit into
 * the shadow root (set them on the container or any ancestor):
 *
 * | property | default | what |
 * |---|---|---|
 * | `--likewise-font` | `inherit` | font family |
 * | `--likewise-gap` | `1rem` | gap between cards and under the heading |
 * | `--likewise-min-width` | `10rem` | narrowest card; the grid fits as many columns as it can |
 * | `--likewise-radius` | `.5rem` | corner radius of cards and images |
 * | `--likewise-card-bg` | `none` | card background (the dismiss button's too, default `Canvas`) |
 * | `--likewise-accent` | `#1a73e8` | focus ring colour |
 * | `--likewise-skeleton` | `#8882` | placeholder colour while loading and for missing images |
 *
 * Everything else (borders, padding, colours, sizes) through the parts:
 * `.likewise-host::part(item) { border: 1px solid #ddd }`, with the
 * part names `root`, `title`, `list`, `item`, `link`, `image`, `name`,
 * `price`, `reason`, `dismiss`, `empty`.
 */
export const styles =
  '.likewise{font-family:var(--likewise-font,inherit)}' +
  '.likewise__title{font-size:1.25em;margin:0 0 var(--likewise-gap,1rem)}' +
  '.likewise__list{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(var(--likewise-min-width,10rem),100%),1fr));gap:var(--likewise-gap,1rem);margin:0;padding:0;list-style:none}' +
  '.likewise__item,.likewise__link{position:relative;display:flex;flex-direction:column;gap:.25em;border-radius:var(--likewise-radius,.5rem);color:inherit;text-decoration:none}' +
  '.likewise__item{background:var(--likewise-card-bg,none)}' +
  'a:hover .likewise__name{text-decoration:underline}' +
  ':focus-visible{outline:2px solid var(--likewise-accent,#1a73e8);outline-offset:2px}' +
  '.likewise__image{display:block;width:100%;height:auto;aspect-ratio:1;object-fit:cover;border-radius:var(--likewise-radius,.5rem)}' +
  'span.likewise__image,[aria-busy] .likewise__name,[aria-busy] .likewise__price{background:var(--likewise-skeleton,#8882)}' +
  'p,span{line-height:1.3;min-height:1.3em;margin:0}' +
  '.likewise__name{min-height:2.6em;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow:hidden}' +
  '.likewise__price{font-weight:600}' +
  '.likewise__reason{font-size:.85em;opacity:.75}' +
  '.likewise__dismiss{position:absolute;top:.25rem;right:.25rem;width:2rem;height:2rem;border:0;border-radius:50%;background:var(--likewise-card-bg,Canvas);color:inherit;cursor:pointer}';

let sheet: CSSStyleSheet | undefined;

/**
 * Adopts the shared {@link styles} sheet into a shadow root. The sheet is
 * constructed once (constructable stylesheets need no `'unsafe-inline'` under
 * a strict CSP) and shared by every widget. Where constructable stylesheets are
 * unsupported the widget stays unstyled but usable: no `<style>` is injected.
 *
 * @returns whether the styles were applied
 */
export function adoptStyles(root: ShadowRoot): boolean {
  try {
    if (!sheet) {
      const s = new CSSStyleSheet();
      s.replaceSync(styles);
      sheet = s;
    }
    if (!('adoptedStyleSheets' in root)) return false;
    root.adoptedStyleSheets = [sheet];
    return true;
  } catch {
    return false;
  }
}
