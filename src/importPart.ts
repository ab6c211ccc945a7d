import type { LikewiseParts } from './createPartLoader';
import type { Preload } from './shared/noPreload';

/**
 * Imports the npm build's part `name`, a chunk of its own that the shop's
 * bundler splits off (a page loads only the parts it uses).
 *
 * The parameter's name is on purpose: a Vite client build rewrites every
 * `import()` as `__vitePreload(() => import(…), deps)` and adds its
 * module-preload helper (CSS and `<link rel=modulepreload>` injection,
 * `vite:preloadError`) to the chunk, whatever `build.modulePreload` says.
 * Those calls bind to the nearest `__vitePreload` in scope: this parameter,
 * so Vite adds no helper and still bundles, hashes and splits each part.
 * Other bundlers see a plain parameter. The caller passes it from another
 * module (the npm build minifies each module on its own), so no minifier
 * can inline it away; the build keeps its name (rollup.config.mjs).
 *
 * @param name - the part
 * @param __vitePreload - {@link noPreload}
 * @example importPart('widgets', noPreload)
 */
export function importPart<K extends keyof LikewiseParts>(
  name: K,
  __vitePreload: Preload,
): Promise<LikewiseParts[K]> {
  // One import of the widget file for both parts that live in it (one
  // `import()` and its list of preloads in the chunk, not two).
  const widgets = () => import('./widgetParts');
  const parts: { [P in keyof LikewiseParts]: () => Promise<LikewiseParts[P]> } = {
    widgets,
    containers: () => import('./observeWidgets'),
    learn: widgets,
    measure: () => import('./metrics/startMetrics'),
    extras: () => import('./extras'),
    // A storefront that does not auto-track (the default) never loads it.
    autoTrack: () => import('./track/autoTrack'),
    // Only forget(), a withdrawal, a full origin or a log over its bounds load it.
    erase: () => import('./store/erase'),
    // Only a storefront that calls lw.observe() loads it.
    observe: () => import('./observePage'),
  };
  return __vitePreload(parts[name]);
}
