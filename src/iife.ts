// The script-tag entry (dist/likewise.iife.js). Unlike every other module it
// acts on load: that is what a <script> tag is for. Its one global is
// `window.Likewise` (rollup assigns the default export to it as well).
// On-demand parts load from `likewise.extras.mjs` beside this script.
import type * as Extras from './extras';
import { startScriptTag } from './track/startScriptTag';

const start = () => {
  const src = (document.currentScript as HTMLScriptElement | null)?.src || location.href;
  const extras = new URL('likewise.extras.mjs', src).href;
  return startScriptTag(window, {
    loadExtras: () => import(/* @vite-ignore */ extras) as Promise<typeof Extras>,
  });
};

export default typeof window === 'undefined' ? undefined : start();
