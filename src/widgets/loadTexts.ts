import type { Preload } from '../shared/noPreload';

/**
 * The built-in texts of a language other than English, from a chunk of
 * their own for the shop's bundler (a page loads its own language's only);
 * the npm build's `LoadTexts` is `(language) => loadTexts(language,
 * noPreload)`. The script tag loads `likewise.texts.<lang>.mjs` instead
 * (src/scriptTagWidgets.ts). `__vitePreload` is named for Vite, as in
 * src/importPart.ts: it adds no module-preload helper to the widget chunk.
 *
 * @param language - `de`, `fr`, `it`, `es` or `nl`
 * @param __vitePreload - `noPreload` (src/shared/noPreload.ts)
 * @example await loadTexts('de', noPreload) // 'Ähnliche Artikel|...'
 */
export function loadTexts(language: string, __vitePreload: Preload): Promise<string> {
  const files: Record<string, () => Promise<{ texts: string }>> = {
    de: () => import('./texts/de'),
    fr: () => import('./texts/fr'),
    it: () => import('./texts/it'),
    es: () => import('./texts/es'),
    nl: () => import('./texts/nl'),
  };
  return __vitePreload(files[language]).then((m) => m.texts);
}
