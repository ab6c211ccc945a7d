/**
 * What a widget page loads on demand, as one chunk: the widget part (with the
 * catalogue's loading part, which it imports) and on-device learning. One
 * file compresses better than several (gzip shares no dictionary across
 * files) and needs one request; the parts keep their names (`LikewiseParts`),
 * so the core asks for each as before. The script tag adds widget markup to it (src/scriptTagWidgets.ts).
 * A page in another language than English loads its texts as a chunk of
 * their own (src/widgets/loadTexts.ts).
 */
import { noPreload } from './shared/noPreload';
import { startWidgets as start } from './startWidgets';
import { loadTexts } from './widgets/loadTexts';

export { trainLocally } from './model/trainLocally';

/** `startWidgets` with the npm build's texts: see src/startWidgets.ts. */
export const startWidgets: typeof start = (core, deps, urls) =>
  start(core, deps, urls, (language) => loadTexts(language, noPreload));
