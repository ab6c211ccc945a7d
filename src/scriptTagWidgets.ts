/**
 * The script tag's widget file (`likewise.widgets.mjs`): the widget chunk
 * (src/widgetParts.ts) with widget markup (`containers`), which every tag
 * page with widgets loads, in one file and one request. A page in another
 * language than English loads its texts beside it, from
 * `likewise.texts.<lang>.mjs` (about 200 B gzip; an English page none).
 */
import { startWidgets as start } from './startWidgets';
import type { LoadTexts } from './widgets/widgetTexts';

export { trainLocally } from './model/trainLocally';
export { observeWidgets } from './observeWidgets';

const loadTexts: LoadTexts = (language) =>
  import(/* @vite-ignore */ new URL(`likewise.texts.${language}.mjs`, import.meta.url).href).then(
    (m: { texts: string }) => m.texts,
  );

/** `startWidgets` with the script tag's texts: see src/startWidgets.ts. */
export const startWidgets: typeof start = (core, deps, urls) => start(core, deps, urls, loadTexts);
