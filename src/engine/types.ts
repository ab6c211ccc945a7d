/**
 * The engine's data contract. The engine is pure: no DOM, no storage, no
 * globals; the same code runs in the browser, in Node and on its worker threads.
 */
import { EVENT_TYPES } from '../shared/eventSchema';
import type { EventType } from '../types';

/**
 * Interactions in columnar form, already indexed: row r says user `users[r]`
 * did `types[r]` on item `items[r]` at `times[r]` (ms). Produced by the
 * streaming log parser (Node) or from the local event log (browser).
 */
export interface InteractionLog {
  /** Item index -> item id. */
  itemIds: string[];
  /** Number of distinct users (user indexes are 0..userCount-1). */
  userCount: number;
  users: Uint32Array;
  items: Uint32Array;
  /** Index into {@link EVENT_TYPE_CODES}. */
  types: Uint8Array;
  /** Milliseconds since the epoch. */
  times: Float64Array;
  /** Number of valid rows (arrays may be longer: capacity). */
  length: number;
}

/** Stable numeric codes for event types in typed arrays and model files: the one schema's list. */
export const EVENT_TYPE_CODES: readonly EventType[] = EVENT_TYPES;

/**
 * Top-K neighbour lists for every item, in CSR form: the neighbours of item
 * i are `indices[offsets[i] .. offsets[i+1])` with `scores` in the same
 * places, sorted by score descending, ties by item id ascending. Memory grows
 * with the number of kept pairs, never with items squared.
 */
export interface Neighbours {
  itemIds: string[];
  /** Length itemIds.length + 1. */
  offsets: Uint32Array;
  indices: Uint32Array;
  scores: Float32Array;
}
