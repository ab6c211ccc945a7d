/**
 * The parts that come with the widget part in the script tag's widget file
 * (src/scriptTagWidgets.ts): `likewise.widgets.mjs` beside the core
 * (src/iife.ts), or inside `likewise.full.js` (src/iifeFull.ts). One list
 * for both entries.
 */
export const WITH_WIDGETS = { containers: 0, learn: 0 };
