/**
 * Columnar rows (user, item, type, time) in growable typed arrays: what the
 * event reader fills.
 */

/**
 * Columns whose rows from `at` a range is parsed into: the reading thread's
 * own, in shared memory, so the worker's rows need no copy (see
 * {@link EventRangeTask.into}).
 */
export interface RowRegion {
  users: Uint32Array;
  items: Uint32Array;
  types: Uint8Array;
  times: Float64Array;
  at: number;
}

/**
 * Columnar rows in growable typed arrays: their own, or (with a region) the
 * `capacity` rows of `region` from `region.at`, until they outgrow them.
 */
export class RowSink {
  users: Uint32Array;
  items: Uint32Array;
  types: Uint8Array;
  times: Float64Array;
  length = 0;
  /** The rows are still in the region they were given. */
  inRegion: boolean;
  private readonly shared: boolean;

  constructor(capacity: number, shared: boolean, region?: RowRegion) {
    this.shared = shared;
    this.inRegion = region !== undefined;
    if (region) {
      const { users, items, types, times, at } = region;
      this.users = users.subarray(at, at + capacity);
      this.items = items.subarray(at, at + capacity);
      this.types = types.subarray(at, at + capacity);
      this.times = times.subarray(at, at + capacity);
      return;
    }
    this.users = new Uint32Array(this.buffer(capacity * 4));
    this.items = new Uint32Array(this.buffer(capacity * 4));
    this.types = new Uint8Array(this.buffer(capacity));
    this.times = new Float64Array(this.buffer(capacity * 8));
  }

  /** Shared memory lets worker threads read the log without a copy. */
  private buffer(bytes: number): ArrayBuffer {
    return (this.shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes)) as ArrayBuffer;
  }

  /** Points the sink at the whole columns of its region (its rows stay where they are). */
  widen({ users, items, types, times }: RowRegion): void {
    this.users = users;
    this.items = items;
    this.types = types;
    this.times = times;
  }

  reserve(capacity: number): void {
    if (capacity <= this.users.length) return;
    this.inRegion = false;
    const n = this.length;
    const users = new Uint32Array(this.buffer(capacity * 4));
    users.set(this.users.subarray(0, n));
    this.users = users;
    const items = new Uint32Array(this.buffer(capacity * 4));
    items.set(this.items.subarray(0, n));
    this.items = items;
    const types = new Uint8Array(this.buffer(capacity));
    types.set(this.types.subarray(0, n));
    this.types = types;
    const times = new Float64Array(this.buffer(capacity * 8));
    times.set(this.times.subarray(0, n));
    this.times = times;
  }

  /** Room for `extra` more rows (grown by half, so appends stay linear). */
  ensure(extra: number): void {
    const n = this.length;
    if (n + extra > this.users.length) this.reserve(Math.max(n + extra, Math.ceil(n * 1.5) + 1024));
  }

  push(user: number, item: number, type: number, time: number): void {
    const n = this.length;
    if (n === this.users.length) this.reserve(Math.ceil(n * 1.5) + 1024);
    this.users[n] = user;
    this.items[n] = item;
    this.types[n] = type;
    this.times[n] = time;
    this.length = n + 1;
  }
}
