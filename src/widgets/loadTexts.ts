import type { LoadTexts } from './widgetTexts';

// One chunk per language for the shop's bundler: a page loads its own only.
const FILES: Record<string, () => Promise<{ texts: string }>> = {
  de: () => import('./texts/de'),
  fr: () => import('./texts/fr'),
  it: () => import('./texts/it'),
  es: () => import('./texts/es'),
  nl: () => import('./texts/nl'),
};

/**
 * The npm build's {@link LoadTexts}: the built-in texts of a language other
 * than English, from a chunk of their own (the script tag loads
 * `likewise.texts.<lang>.mjs` instead, see src/scriptTagWidgets.ts).
 *
 * @example await loadTexts('de') // 'Ähnliche Artikel|...'
 */
export const loadTexts: LoadTexts = (language) => FILES[language]().then((m) => m.texts);
