// The script tag's file for pages with widgets (dist/likewise.full.js): the
// core of src/iife.ts with the widget file (src/scriptTagWidgets.ts) inside
// it. A widget page then loads one file instead of two: one request fewer on
// the first widget's path, and about 1 KB gzip less, as gzip shares nothing
// across files. It sets the same `window.Likewise` and loads the other parts
// (`measure`, `extras`, `erase`, the texts) from beside itself, like the core.
import type { LikewiseParts } from './createPartLoader';
import { trainLocally } from './model/trainLocally';
import { observeWidgets } from './observeWidgets';
import { startScriptTag } from './startScriptTag';
import { startWidgets } from './startWidgets';
import { WITH_WIDGETS } from './widgetFileParts';

const start = () => {
  const src = (document.currentScript as HTMLScriptElement | null)?.src || location.href;
  const load = (name: string) =>
    import(/* @vite-ignore */ new URL(`likewise.${name}.mjs`, src).href);
  // The widget texts as src/scriptTagWidgets.ts loads them, from beside
  // this file: a function shared by both costs 13-15 B on every widget page
  // and, in this IIFE, rollup's `import.meta.url` stand-in (80 B).
  const widgets = {
    startWidgets: ((core, deps, urls) =>
      startWidgets(core, deps, urls, (language) =>
        load(`texts.${language}`).then((m: { texts: string }) => m.texts),
      )) as typeof startWidgets,
    trainLocally,
    observeWidgets,
  };
  return startScriptTag(window, {
    load: <K extends keyof LikewiseParts>(name: K) =>
      (name === 'widgets' || name in WITH_WIDGETS
        ? Promise.resolve(widgets)
        : load(name)) as Promise<LikewiseParts[K]>,
  });
};

export default typeof window === 'undefined' ? undefined : start();
