// The script-tag entry (dist/likewise.iife.js). Unlike every other module it
// acts on load: that is what a <script> tag is for. Its one global is
// `window.Likewise` (rollup assigns the default export to it as well).
// On-demand parts load from `likewise.extras.mjs` beside this script.
import type * as Extras from './extras';
import type * as CatalogPart from './model/createCatalogPart';
import { startScriptTag } from './track/startScriptTag';

const start = () => {
  const src = (document.currentScript as HTMLScriptElement | null)?.src || location.href;
  const extras = new URL('likewise.extras.mjs', src).href;
  return startScriptTag(window, {
    loadExtras: () => import(/* @vite-ignore */ extras) as Promise<typeof Extras>,
    // Catalogue shards and product API lookups: a part of its own, not in every page's core.
    loadCatalog: () =>
      import(/* @vite-ignore */ new URL('likewise.catalog.mjs', src).href) as Promise<
        typeof CatalogPart
      >,
  });
};

export default typeof window === 'undefined' ? undefined : start();
