// The script-tag entry (dist/likewise.iife.js). Unlike every other module it
// acts on load: that is what a <script> tag is for. Its one global is
// `window.Likewise` (rollup assigns the default export to it as well).
// On-demand parts load from `likewise.<part>.mjs` beside this script with
// `import()`, which Trusted Types does not police.
import type { LikewiseParts } from './createPartLoader';
import { startScriptTag } from './startScriptTag';
import { WITH_WIDGETS } from './widgetFileParts';

const start = () => {
  const src = (document.currentScript as HTMLScriptElement | null)?.src || location.href;
  return startScriptTag(window, {
    load: <K extends keyof LikewiseParts>(name: K) =>
      import(
        /* @vite-ignore */ new URL(`likewise.${name in WITH_WIDGETS ? 'widgets' : name}.mjs`, src)
          .href
      ) as Promise<LikewiseParts[K]>,
  });
};

export default typeof window === 'undefined' ? undefined : start();
