import type { ItemAggregate, LikewiseEvent } from '../types';

/** Where the SDK keeps data right now. */
export type StorageMode = 'indexeddb' | 'memory';

/**
 * The bounded, append-only event log of one site. Never throws into the
 * caller for storage faults: it degrades to memory and reports to `onError`.
 */
export interface EventStore {
  /** `'indexeddb'`, or `'memory'` after repeated failure / when IndexedDB is missing or denied. */
  readonly mode: StorageMode;
  /**
   * Appends events; writes are batched (one transaction per tick). Resolves
   * when durable (or kept in memory). `session`, when given, is written in the
   * same transaction: the visitor's session lives with the log it describes.
   */
  append(events: LikewiseEvent[], session?: unknown): Promise<void>;
  /**
   * The session the last `append` wrote (any page), or `undefined`; opens
   * the database (the first thing a page does with it). Never rejects for storage faults.
   */
  session(): Promise<unknown>;
  /** Raw events, oldest first (by ts, then insertion). */
  events(): Promise<LikewiseEvent[]>;
  /** Per-item aggregates of events compacted away by the cap. */
  aggregates(): Promise<ItemAggregate[]>;
  /** Closes the connection (the store reopens lazily on next use). */
  close(): void;
  /**
   * Appends `events` (those already appended keep their place) and writes
   * every event not yet committed in one transaction that commits at once,
   * without compaction: for a page being left. Never throws.
   */
  flushNow?(events?: LikewiseEvent[]): void;
}

/** A small key-value store for SDK state (consent, anonymous id, outbox...; the session lives with the event log). */
export interface StateStore {
  readonly mode: StorageMode;
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  /** Every key currently stored. */
  keys(): Promise<string[]>;
  close(): void;
}
