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
 * | `--likewise-card-bg` | `none` | card background |
 * | `--likewise-dismiss-bg` / `--likewise-dismiss-text` | `#fff` / `#222` | the "not interested" button |
 * | `--likewise-accent` | `#1a73e8` | focus ring colour |
 * | `--likewise-skeleton` | `#8882` | placeholder colour while loading and for missing images |
 *
 * | `--likewise-panel-bg` | `Canvas` | privacy panel background |
 * | `--likewise-panel-text` | `CanvasText` | privacy panel text colour |
 *
 * Everything else (borders, padding, colours, sizes) through the parts:
 * `.likewise-host::part(item) { border: 1px solid #ddd }`, with the
 * part names `root`, `title`, `list`, `item`, `link`, `image`, `name`,
 * `price`, `reason`, `dismiss`, `empty`; the privacy panel's are `privacy`
 * (the dialog), `privacy-status` and `privacy-button`
 * (`.likewise-privacy-host::part(privacy) { ... }`).
 */
export const styles: string =
  '.likewise{font-family:var(--likewise-font,inherit)}' +
  '.likewise__title{font-size:1.25em;margin:0 0 var(--likewise-gap,1rem)}' +
  '.likewise__list{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(var(--likewise-min-width,10rem),100%),1fr));gap:var(--likewise-gap,1rem);margin:0;padding:0;list-style:none}' +
  '.likewise__item,.likewise__link{position:relative;display:flex;flex-direction:column;gap:.25em;border-radius:var(--likewise-radius,.5rem);color:inherit;text-decoration:none}' +
  '.likewise__item{background:var(--likewise-card-bg,none)}' +
  'a:hover .likewise__name{text-decoration:underline}' +
  ':focus-visible{outline:2px solid var(--likewise-accent,#1a73e8);outline-offset:2px}' +
  // The image and the loading skeleton's text lines share the placeholder colour.
  '.likewise__image{width:100%;height:auto;aspect-ratio:1;object-fit:cover;border-radius:inherit}' +
  '.likewise__image,[aria-busy] span{background:var(--likewise-skeleton,#8882)}' +
  'p,span{line-height:1.3;min-height:1.3em;margin:0}' +
  // Two lines for every name, so cards line up and the skeleton reserves the right height.
  // Clamped with an ellipsis: a cut title reads as a different title.
  '.likewise__name{height:2.6em;overflow:hidden;display:-webkit-box;-webkit-box-orient:vertical;-webkit-line-clamp:2;overflow-wrap:anywhere}' +
  '.likewise__price{font-weight:600}' +
  '.likewise__reason{font-size:.85em;opacity:.75;overflow-wrap:anywhere}' +
  // Its own opaque disc and a shadow: visible over any cover, light or dark.
  '.likewise__dismiss{position:absolute;top:.35rem;right:.35rem;width:2rem;height:2rem;border:0;border-radius:50%;background:var(--likewise-dismiss-bg,#fff);color:var(--likewise-dismiss-text,#222);box-shadow:0 1px 4px #0009;font-size:1.1rem;line-height:1;cursor:pointer}';

/**
 * The privacy panel's stylesheet (see `privacyPanel`), kept apart from
 * {@link styles} so that the recommendation widgets' bundle does not carry it.
 */
export const privacyStyles: string =
  // The privacy panel (privacyPanel.ts); the div fallback has no top layer, hence fixed + z-index.
  '.likewise-privacy{box-sizing:border-box;width:min(32rem,calc(100% - 2rem));max-height:calc(100% - 2rem);overflow:auto;padding:1.5rem;border:0;border-radius:var(--likewise-radius,.5rem);background:var(--likewise-panel-bg,Canvas);color:var(--likewise-panel-text,CanvasText);font-family:var(--likewise-font,inherit);box-shadow:0 0 0 100vmax #0006}' +
  'div.likewise-privacy{position:fixed;inset:0;margin:auto;height:fit-content;z-index:2147483647}' +
  '.likewise-privacy::backdrop{background:none}' +
  '.likewise-privacy h2{margin:0 0 1rem;font-size:1.25em}' +
  '.likewise-privacy ul,.likewise-privacy ol{margin:0 0 1rem;padding-left:1.25rem}' +
  '.likewise-privacy ol{max-height:12rem;overflow:auto}' +
  '.likewise-privacy__status{font-weight:600;margin-bottom:1rem}.likewise-privacy__status:empty{min-height:0;margin:0}' +
  '.likewise-privacy__actions{display:flex;flex-wrap:wrap;gap:.5rem}' +
  '.likewise-privacy button{font:inherit;padding:.5em 1em;border:1px solid currentColor;border-radius:var(--likewise-radius,.5rem);background:none;color:inherit;cursor:pointer}' +
  '.likewise-privacy button:disabled{opacity:.5;cursor:default}';

const sheets = new Map<string, CSSStyleSheet>();

/**
 * Adopts a stylesheet (default {@link styles}) into a shadow root. Each sheet is
 * constructed once (constructable stylesheets need no `'unsafe-inline'` under
 * a strict CSP) and shared by every root. Where constructable stylesheets are
 * unsupported the root stays unstyled but usable: no `<style>` is injected.
 *
 * @returns whether the styles were applied
 * @example
 * adoptSheet(host.attachShadow({ mode: 'open' }));
 */
export function adoptSheet(root: ShadowRoot, css: string = styles): boolean {
  try {
    let sheet = sheets.get(css);
    if (!sheet) {
      sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      sheets.set(css, sheet);
    }
    root.adoptedStyleSheets = [sheet];
    return true;
  } catch {
    return false;
  }
}

/**
 * Adopts {@link styles} plus {@link privacyStyles} into a shadow root (the
 * privacy panel's sheet); see {@link adoptSheet}.
 *
 * @returns whether the styles were applied
 */
export function adoptStyles(root: ShadowRoot): boolean {
  return adoptSheet(root, styles + privacyStyles);
}
