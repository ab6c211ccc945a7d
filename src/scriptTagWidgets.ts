/**
 * The script tag's widget file (`likewise.widgets.mjs`): the widget chunk
 * (src/widgetParts.ts) with widget markup (`containers`), which every tag
 * page with widgets loads, in one file and one request.
 */
export { observeWidgets } from './observeWidgets';
export * from './widgetParts';
