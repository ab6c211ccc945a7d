// The `erase` part (likewise.erase.mjs; a chunk of its own with npm): what
// deletes stored data, loaded only when that happens: forget(), a
// withdrawal, the recovery of a full origin, and the compaction of a log
// over its bounds. No other page pays for it.
export { compactEvents } from './compactEvents';
export { deleteSiteData, drop } from './deleteSiteData';
