/** Runs a dynamic import: the shape of Vite's `__vitePreload` (src/importPart.ts). */
export type Preload = <T>(load: () => Promise<T>) => Promise<T>;

/**
 * Loads, preloading nothing: what the npm build's `import()`s run through
 * in a Vite build instead of Vite's module-preload helper (src/importPart.ts).
 * A part's own imports load with it: likewise starts its parts' loading
 * early itself, and they have no CSS.
 *
 * @example importPart('widgets', noPreload)
 */
export const noPreload: Preload = (load) => load();
