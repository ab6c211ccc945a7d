/**
 * What a widget page loads on demand, as one chunk: the widget part, on-device
 * learning and the catalogue's loading part. One file compresses better than
 * three (gzip shares no dictionary across files) and needs one request; the
 * parts keep their names (`LikewiseParts`), so the core asks for each as
 * before. The script tag adds widget markup to it (src/scriptTagWidgets.ts).
 */
export { createCatalogPart } from './model/createCatalogPart';
export { trainLocally } from './model/trainLocally';
export { startWidgets } from './startWidgets';
