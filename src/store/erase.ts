// The `erase` part (likewise.erase.mjs; a chunk of its own with npm): what
// storage does only when something rare happens, loaded then: deleting
// stored data (forget(), a withdrawal, the recovery of a full origin), the
// compaction of a log over its bounds, and memory mode after IndexedDB
// failed (with the retry after a quota failure and a late open). No other
// page pays for it.
export { compactEvents, isValidAggregate } from './compactEvents';
export { deleteSiteData, drop } from './deleteSiteData';
export { runInMemory, takeLate } from './runInMemory';
