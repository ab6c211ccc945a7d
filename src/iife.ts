// The script-tag entry (dist/likewise.iife.js). Unlike every other module it
// acts on load: that is what a <script> tag is for. Its one global is
// `window.Likewise` (rollup assigns the default export to it as well).
// On-demand parts load from `likewise.<part>.mjs` beside this script with
// `import()`, which Trusted Types does not police (a Worker URL it does).
import type { LikewiseParts } from './createPartLoader';
import type * as CatalogPart from './model/createCatalogPart';
import { startScriptTag } from './startScriptTag';

const start = () => {
  const src = (document.currentScript as HTMLScriptElement | null)?.src || location.href;
  return startScriptTag(window, {
    // Catalogue shards and product API lookups: a part of its own, not in every page's core.
    loadCatalog: () =>
      import(/* @vite-ignore */ new URL('likewise.catalog.mjs', src).href) as Promise<
        typeof CatalogPart
      >,
    load: <K extends keyof LikewiseParts>(name: K) =>
      import(/* @vite-ignore */ new URL(`likewise.${name}.mjs`, src).href) as Promise<
        LikewiseParts[K]
      >,
  });
};

export default typeof window === 'undefined' ? undefined : start();
