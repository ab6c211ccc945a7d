/**
 * The streaming event-log reader behind `likewise train` and `likewise eval`.
 *
 * It reads CSV (`user,item,timestamp,type`, timestamp in unix seconds) or
 * NDJSON (the same fields, or the SDK's collected `LikewiseEvent` objects)
 * and returns an {@link InteractionLog} with user and item ids interned to
 * indexes. It works on bytes: lines are found with the native `indexOf`,
 * fields are scanned and hashed in one pass, and an id becomes a JS string
 * only the first time it is seen, so ten million lines parse in seconds
 * without a string per line.
 */
import { open } from 'node:fs/promises';
import type { InteractionLog } from '../engine/types';
import { LikewiseError } from '../errors';
import { EVENT_TYPES, MAX_TS } from '../shared/eventSchema';

/** Input formats {@link readEvents} understands. */
export type EventFileFormat = 'csv' | 'ndjson';

/** Options of {@link readEvents}. */
export interface ReadEventsOptions {
  /**
   * File format. Default: from the extension (`.csv`; `.ndjson`, `.jsonl`,
   * `.json`), else from the first byte (`{` or `[` means NDJSON).
   */
  format?: EventFileFormat;
  /** Called after each chunk with the bytes read so far and the file size (for progress bars). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Read size in bytes. Default 4 MiB. */
  chunkSize?: number;
  /**
   * Parses the second half of a big file elsewhere, typically in a worker
   * thread running {@link readEventsRange}; its rows are appended after the
   * first half's, so file order is kept. Default: one thread.
   */
  parallel?: (task: EventRangeTask) => Promise<ParsedEventRange>;
  /** Smallest file (bytes) worth splitting with `parallel`. Default 32 MiB. */
  parallelMinBytes?: number;
  /** Allocate the columns in `SharedArrayBuffer`s, so worker threads can read them without a copy. */
  shared?: boolean;
  /**
   * Runs a full garbage collection: called after an id table of 4 MiB or
   * more is replaced by a bigger one. The JS heap stays tiny while these
   * tables grow to tens of megabytes, so V8 would otherwise keep the dead
   * ones and they would set the peak memory of a big read. Default: V8's own schedule.
   */
  collect?: () => void;
  /**
   * Keep the user ids as strings in `userIds`. Default true; a build that
   * only needs user indexes (`likewise train`) saves a string per user.
   */
  userIds?: boolean;
}

/** What {@link readEvents} resolves to: the log plus the user ids and what was skipped. */
export interface ReadEventsResult extends InteractionLog {
  /**
   * User index -> user id (for NDJSON from the SDK: the identified user, else
   * the session). Empty when read with `userIds: false`.
   */
  userIds: string[];
  /** Lines (or purchase lines) refused: malformed, unknown event type, or no item. */
  skipped: number;
  /** The format that was read. */
  format: EventFileFormat;
}

/** Event type names by code: the one schema's list, so a code always means the engine's type. */
const TYPE_NAMES = EVENT_TYPES;
const TYPE_BYTES = TYPE_NAMES.map((name) => Buffer.from(name, 'latin1'));
const TYPE_INDEX = new Map<string, number>(TYPE_NAMES.map((name, i) => [name, i]));

/** Column roles, in a CSV header or as NDJSON keys. */
const ROLE_NONE = 0;
const ROLE_USER = 1;
const ROLE_ITEM = 2;
const ROLE_TIME_S = 3;
const ROLE_TIME_MS = 4;
const ROLE_TYPE = 5;
const ROLE_SESSION = 6;

const ROLE_BY_NAME = new Map<string, number>([
  ['user', ROLE_USER],
  ['user_id', ROLE_USER],
  ['userid', ROLE_USER],
  ['visitor', ROLE_USER],
  ['customer', ROLE_USER],
  ['session', ROLE_SESSION],
  ['session_id', ROLE_SESSION],
  ['item', ROLE_ITEM],
  ['item_id', ROLE_ITEM],
  ['itemid', ROLE_ITEM],
  ['product', ROLE_ITEM],
  ['product_id', ROLE_ITEM],
  ['timestamp', ROLE_TIME_S],
  ['time', ROLE_TIME_S],
  ['ts', ROLE_TIME_MS],
  ['type', ROLE_TYPE],
  ['event', ROLE_TYPE],
  ['event_type', ROLE_TYPE],
]);

/** Numeric `timestamp` values at or above this are taken as milliseconds (1e11 s is the year 5138). */
const MS_THRESHOLD = 1e11;

/** The keys of a {@link ByteInterner} as bytes, to send to another thread. */
export interface InternedKeys {
  arena: Uint8Array;
  ends: Uint32Array;
}

/** Rows (or keys) interned at a time (see {@link LogBuilder.flush}). */
const BATCH = 256;

/**
 * Tables of at least this many int32s (2 MiB, 131,072 slots) are collected
 * as soon as they are replaced.
 */
const GROW_COLLECT_INTS = 1 << 19;

/** Most users {@link LogBuilder} reserves room for up front. */
const USER_RESERVE_MAX = 1 << 20;

/** Int32 fields of a hash-table slot (see {@link ByteInterner}). */
const SLOT = 4;

/** Keys up to this many bytes are held whole in their slot. */
const SHORT_KEY = 11;

/** Up to 4 bytes of `buf[p, end)` packed little-endian (missing bytes are 0). */
function word(buf: Uint8Array, p: number, end: number): number {
  let w = 0;
  if (p < end) w = buf[p];
  if (p + 1 < end) w |= buf[p + 1] << 8;
  if (p + 2 < end) w |= buf[p + 2] << 16;
  if (p + 3 < end) w |= buf[p + 3] << 24;
  return w;
}

/**
 * Interns byte strings to dense indexes without making a JS string per
 * lookup: open addressing over FNV-1a hashes, 16 bytes a slot. A key of up
 * to 11 bytes (most ids) is held whole in its slot: `id + 1`, then its bytes
 * zero-padded in three words with the length in the top byte of the third,
 * so a lookup reads one slot and nothing else. A longer key's slot holds
 * `-(id + 1)`, its first 8 bytes and its hash, and a match is confirmed in
 * the byte arena, where every key is stored once, in id order. Callers look
 * keys up in batches, calling {@link touch} for the whole batch first: those
 * loads do not depend on each other, so the memory system serves many at
 * once, and the lookups that follow find their slots in cache. (One lookup
 * at a time waited for a cache and a TLB miss each: on a million users,
 * most of the parsing time.)
 */
class ByteInterner {
  readonly ids: string[] = [];
  /** Keys interned so far. */
  count = 0;
  /** Make a JS string of each new key (in {@link ids}). */
  keepStrings = true;
  /** Called after the table is replaced by a bigger one. */
  onGrow?: () => void;
  /** Where touched values go, so no compiler can drop the loads. */
  sink = 0;
  private table = new Int32Array(SLOT << 12);
  private mask = (1 << 12) - 1;
  private arena = new Uint8Array(1 << 16);
  private arenaUsed = 0;
  /** End of each key in the arena, by id. */
  private ends = new Uint32Array(1 << 12);

  /** Loads the slot a lookup of `hash` reads first (a prefetch: see the class comment). */
  touch(hash: number): number {
    return this.table[(hash & this.mask) * SLOT];
  }

  /** The index of the key `buf[start, end)` whose FNV-1a hash is `hash`; new keys are added. */
  intern(buf: Uint8Array, start: number, end: number, hash: number): number {
    const len = end - start;
    const table = this.table;
    const mask = this.mask;
    const w0 = word(buf, start, end);
    const w1 = word(buf, start + 4, end);
    let slot = hash & mask;
    if (len <= SHORT_KEY) {
      const w2 = word(buf, start + 8, end) | (len << 24);
      for (;;) {
        const at = slot * SLOT;
        const entry = table[at];
        if (entry === 0) break;
        if (entry > 0 && table[at + 1] === w0 && table[at + 2] === w1 && table[at + 3] === w2)
          return entry - 1;
        slot = (slot + 1) & mask;
      }
    } else {
      for (;;) {
        const at = slot * SLOT;
        const entry = table[at];
        if (entry === 0) break;
        if (
          entry < 0 &&
          table[at + 1] === w0 &&
          table[at + 2] === w1 &&
          table[at + 3] === hash &&
          this.sameKey(-entry - 1, buf, start, end)
        )
          return -entry - 1;
        slot = (slot + 1) & mask;
      }
    }
    return this.add(buf, start, end, hash, slot);
  }

  /** Is key `id` the bytes `buf[start, end)`? */
  private sameKey(id: number, buf: Uint8Array, start: number, end: number): boolean {
    let a = id === 0 ? 0 : this.ends[id - 1];
    if (this.ends[id] - a !== end - start) return false;
    const arena = this.arena;
    for (let i = start; i < end; i++, a++) if (arena[a] !== buf[i]) return false;
    return true;
  }

  /** The index of `key` (slow path: quoted CSV fields, JSON.parse fallbacks). */
  internString(key: string): number {
    const bytes = Buffer.from(key, 'utf8');
    return this.intern(bytes, 0, bytes.length, fnv1a(bytes, 0, bytes.length));
  }

  /** All keys as bytes: key i is `arena[ends[i - 1] ?? 0, ends[i])`. */
  keyBytes(): InternedKeys {
    const n = this.count;
    return { arena: this.arena.slice(0, this.arenaUsed), ends: this.ends.slice(0, n) };
  }

  /** Interns every key of another interner; returns its id -> this interner's id. */
  merge(keys: InternedKeys): Uint32Array {
    const { arena, ends } = keys;
    const n = ends.length;
    const map = new Uint32Array(n);
    const hashes = new Int32Array(n);
    let start = 0;
    for (let i = 0; i < n; i++) {
      hashes[i] = fnv1a(arena, start, ends[i]);
      start = ends[i];
    }
    // In batches, touched first, as the parser does.
    let sink = 0;
    start = 0;
    for (let b0 = 0; b0 < n; b0 += BATCH) {
      const b1 = Math.min(n, b0 + BATCH);
      for (let i = b0; i < b1; i++) sink += this.touch(hashes[i]);
      for (let i = b0; i < b1; i++) {
        map[i] = this.intern(arena, start, ends[i], hashes[i]);
        start = ends[i];
      }
    }
    this.sink = sink;
    return map;
  }

  private add(buf: Uint8Array, start: number, end: number, hash: number, slot: number): number {
    const id = this.count++;
    const len = end - start;
    if (this.arenaUsed + len > this.arena.length) {
      const next = new Uint8Array(Math.max(this.arena.length * 2, this.arenaUsed + len));
      next.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = next;
    }
    // Byte loops beat subarray()/toString() here: those allocate and cross
    // into C++, which costs more than the copy for short ids.
    const arena = this.arena;
    const base = this.arenaUsed;
    let ascii = 0;
    for (let i = 0; i < len; i++) {
      const c = buf[start + i];
      arena[base + i] = c;
      ascii |= c;
    }
    if (this.keepStrings) {
      let text = '';
      if (ascii < 0x80 && len <= 64) {
        for (let i = start; i < end; i++) text += String.fromCharCode(buf[i]);
      } else {
        text = Buffer.from(buf.buffer, buf.byteOffset + start, len).toString('utf8');
      }
      this.ids.push(text);
    }
    this.arenaUsed = base + len;
    if (id === this.ends.length) {
      const ends = new Uint32Array(id * 2);
      ends.set(this.ends);
      this.ends = ends;
    }
    this.ends[id] = base + len;
    this.fill(this.table, slot * SLOT, id, arena, base, base + len, hash);
    // Keep the table at most half full so probe chains stay short.
    if ((id + 1) * 2 > this.mask + 1) this.rehash();
    return id;
  }

  /** Writes the slot at `at` for key `id`, the bytes `buf[start, end)` with this hash. */
  private fill(
    table: Int32Array,
    at: number,
    id: number,
    buf: Uint8Array,
    start: number,
    end: number,
    hash: number,
  ): void {
    const len = end - start;
    const short = len <= SHORT_KEY;
    table[at] = short ? id + 1 : -(id + 1);
    table[at + 1] = word(buf, start, end);
    table[at + 2] = word(buf, start + 4, end);
    table[at + 3] = short ? word(buf, start + 8, end) | (len << 24) : hash;
  }

  /**
   * Makes room for `keys` keys without growing: one table of the final size
   * up front instead of doubling to it (each doubling places every key
   * again, in memory written for the first time). Only before any key.
   */
  reserve(keys: number): void {
    if (this.count > 0) return;
    let size = this.mask + 1;
    while (size < 2 * keys) size *= 2;
    if (size === this.mask + 1) return;
    this.table = new Int32Array(size * SLOT);
    this.mask = size - 1;
    this.ends = new Uint32Array(keys);
  }

  /** Twice the slots; every key is placed again from the arena (slots hold no hash for short keys). */
  private rehash(): void {
    const size = (this.mask + 1) * 2;
    const old = this.table;
    const table = new Int32Array(size * SLOT);
    const mask = size - 1;
    const { arena, ends, count } = this;
    // In batches, each batch's first slots touched first (see the class comment).
    const hashes = new Int32Array(BATCH);
    let sink = 0;
    let start = 0;
    for (let b0 = 0; b0 < count; b0 += BATCH) {
      const b1 = Math.min(count, b0 + BATCH);
      let from = start;
      for (let id = b0; id < b1; id++) {
        const h = fnv1a(arena, from, ends[id]);
        hashes[id - b0] = h;
        sink += table[(h & mask) * SLOT];
        from = ends[id];
      }
      for (let id = b0; id < b1; id++) {
        const end = ends[id];
        const hash = hashes[id - b0];
        let slot = hash & mask;
        while (table[slot * SLOT] !== 0) slot = (slot + 1) & mask;
        this.fill(table, slot * SLOT, id, arena, start, end, hash);
        start = end;
      }
    }
    this.sink = sink;
    this.table = table;
    this.mask = mask;
    // The old table is garbage now; collecting it at once keeps it from
    // piling up beside the next, bigger one (see ReadEventsOptions.collect).
    // Small tables are left to V8: a full collection costs more than they weigh.
    if (old.length >= GROW_COLLECT_INTS) this.onGrow?.();
  }
}

/** 32-bit FNV-1a over bytes, as a signed int32 (unsigned values above 2^31 would be boxed as doubles). */
function fnv1a(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  return h;
}

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
class RowSink {
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

/** Event type code by the first byte of its name (all eight names start differently), else -1. */
const TYPE_BY_FIRST_BYTE = new Int8Array(256).fill(-1);
for (let code = 0; code < TYPE_BYTES.length; code++) TYPE_BY_FIRST_BYTE[TYPE_BYTES[code][0]] = code;

/** Event type index of the bytes `buf[start, end)`, or -1. */
function typeCode(buf: Uint8Array, start: number, end: number): number {
  const code = TYPE_BY_FIRST_BYTE[buf[start]];
  if (code < 0) return -1;
  const name = TYPE_BYTES[code];
  const len = end - start;
  if (name.length !== len) return -1;
  for (let i = 1; i < len; i++) if (buf[start + i] !== name[i]) return -1;
  return code;
}

/**
 * Parses a plain decimal number (optional sign and fraction) from bytes, or
 * returns NaN so the caller can try the slow path (ISO dates, exponents).
 */
function parseNumber(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return Number.NaN;
  let i = start;
  let negative = false;
  if (buf[i] === 0x2d) {
    negative = true;
    i++;
  }
  let value = 0;
  let digits = 0;
  while (i < end) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
    digits++;
    i++;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    let scale = 0.1;
    while (i < end) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      value += d * scale;
      scale *= 0.1;
      digits++;
      i++;
    }
  }
  if (i !== end || digits === 0) return Number.NaN;
  return negative ? -value : value;
}

/** Milliseconds from a textual timestamp (number or ISO date); NaN when unreadable. */
function parseTimeText(text: string, role: number): number {
  const trimmed = text.trim();
  if (trimmed === '') return Number.NaN;
  const n = Number(trimmed);
  if (Number.isFinite(n)) return toMs(n, role);
  return Date.parse(trimmed);
}

/**
 * A time (ms) within the year 2100 either side of 1970: unreadable times
 * (NaN), microseconds by mistake and Infinity are not. One such line would
 * otherwise become the log's "now", and decay every other event's trending
 * score to nothing.
 */
const plausibleTime = (ms: number): boolean => Math.abs(ms) < MAX_TS;

/**
 * Longest user or item id, in UTF-8 bytes: the SDK's item ids are at most
 * 256 characters, so 1 KiB holds any of them; a longer one (junk) is skipped,
 * or one id could make a shard of megabytes.
 */
const MAX_ID_BYTES = 1024;

function toMs(n: number, role: number): number {
  if (role === ROLE_TIME_MS || n >= MS_THRESHOLD) return n;
  return n * 1000;
}

/** Splits one CSV line that contains quotes (RFC 4180: `""` inside quotes is a quote). */
function splitQuotedCsv(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === 0x22) {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        value += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 0x22) {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i === n) return fields;
      if (line.charCodeAt(i) !== 0x2c) return null;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** How lines are read: the format and, for CSV, the role of each column. */
export interface LogLayout {
  format: EventFileFormat;
  /** CSV: role of each column. */
  columns: number[];
  /** CSV: false when there is no type column (every row is a `view`). */
  hasTypeColumn: boolean;
}

/**
 * The CSV layout from its first line. Returns `header: false` when that
 * line names no user and item columns (it is data, in the default order).
 */
function csvLayout(firstLine: string): { layout: LogLayout; header: boolean } {
  const names = firstLine.split(',').map((s) =>
    s
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase(),
  );
  const roles = names.map((name) => ROLE_BY_NAME.get(name) ?? ROLE_NONE);
  const has = (role: number) => roles.includes(role);
  if (!((has(ROLE_USER) || has(ROLE_SESSION)) && has(ROLE_ITEM))) {
    return {
      layout: {
        format: 'csv',
        columns: [ROLE_USER, ROLE_ITEM, ROLE_TIME_S, ROLE_TYPE],
        hasTypeColumn: true,
      },
      header: false,
    };
  }
  // A `user` column wins over a `session` column.
  const sessionRole = has(ROLE_USER) ? ROLE_NONE : ROLE_USER;
  for (let i = 0; i < roles.length; i++) if (roles[i] === ROLE_SESSION) roles[i] = sessionRole;
  // Keep only the first column of each role.
  const seen = new Set<number>();
  for (let i = 0; i < roles.length; i++) {
    const r = roles[i] === ROLE_TIME_MS ? ROLE_TIME_S : roles[i];
    if (r === ROLE_NONE) continue;
    if (seen.has(r)) roles[i] = ROLE_NONE;
    seen.add(r);
  }
  return { layout: { format: 'csv', columns: roles, hasTypeColumn: has(ROLE_TYPE) }, header: true };
}

/** Incremental parser fed whole lines; shared by the CSV and NDJSON paths. */
class LogBuilder {
  readonly users = new ByteInterner();
  readonly items = new ByteInterner();
  readonly rows: RowSink;
  skipped = 0;
  private readonly columns: Uint8Array;
  private readonly hasTypeColumn: boolean;
  /** True for the canonical `user,item,timestamp,type` columns: {@link csvLine} has a fast path. */
  private readonly canonical: boolean;

  constructor(capacity: number, layout: LogLayout, shared: boolean, region?: RowRegion) {
    this.rows = new RowSink(capacity, shared, region);
    // Logs have many fewer users than rows; a table for one user per 8 rows
    // (at most 2^20 users, a 32 MiB table, while the columns are filled)
    // saves the doublings on big logs.
    this.users.reserve(Math.min(capacity >>> 3, USER_RESERVE_MAX));
    this.columns = Uint8Array.from(layout.columns);
    this.hasTypeColumn = layout.hasTypeColumn;
    this.canonical =
      layout.columns.join() === [ROLE_USER, ROLE_ITEM, ROLE_TIME_S, ROLE_TYPE].join();
  }

  /** FNV-1a hash of the last field {@link plainField} scanned. */
  private fieldHash = 0;

  /**
   * Scans an unquoted CSV field from `i`, hashing it on the way: returns
   * where it ends (a comma, a quote, or `end`) and leaves the hash in
   * {@link fieldHash}.
   */
  private plainField(buf: Uint8Array, i: number, end: number): number {
    let h = 0x811c9dc5;
    while (i < end) {
      const c = buf[i];
      if (c === 0x2c || c === 0x22) break;
      h = Math.imul(h ^ c, 0x01000193);
      i++;
    }
    this.fieldHash = h;
    return i;
  }

  /**
   * One CSV line `buf[start, end)` without its line break. Canonical lines
   * with plain fields and an integer timestamp are read in one straight
   * pass; anything else (quotes, ISO dates, other column orders, errors)
   * goes through the general path.
   */
  csvLine(buf: Uint8Array, start: number, end: number): void {
    if (end > start && buf[end - 1] === 0x0d) end--;
    if (!this.canonical || end === start) {
      this.csvGeneral(buf, start, end);
      return;
    }
    const userE = this.plainField(buf, start, end);
    const userH = this.fieldHash;
    if (userE >= end || buf[userE] !== 0x2c || userE === start) {
      this.csvGeneral(buf, start, end);
      return;
    }
    const itemS = userE + 1;
    const itemE = this.plainField(buf, itemS, end);
    const itemH = this.fieldHash;
    if (itemE >= end || buf[itemE] !== 0x2c || itemE === itemS) {
      this.csvGeneral(buf, start, end);
      return;
    }
    let i = itemE;
    const timeS = ++i;
    let t = 0;
    while (i < end) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      t = t * 10 + d;
      i++;
    }
    if (i === timeS || i - timeS > 15 || buf[i] !== 0x2c) {
      this.csvGeneral(buf, start, end);
      return;
    }
    const typeS = ++i;
    while (i < end && buf[i] !== 0x2c) i++;
    const type = i > typeS ? typeCode(buf, typeS, i) : -1;
    if (type < 0) {
      this.csvGeneral(buf, start, end);
      return;
    }
    this.row(buf, start, userE, userH, itemS, itemE, itemH, type, t >= MS_THRESHOLD ? t : t * 1000);
  }

  /**
   * The one row path of every fast reader (CSV and NDJSON): a line whose
   * user, item, type and time were found in `buf` becomes a row, ids
   * interned straight from the bytes; a line missing any of them is counted
   * as skipped, and so is a time that is no plausible date (see
   * {@link plausibleTime}) or an id over {@link MAX_ID_BYTES}. Ids are
   * interned only here, once the whole line is known to be good, so a
   * malformed line never adds a user or an item without rows.
   */
  private row(
    buf: Uint8Array,
    userS: number,
    userE: number,
    userH: number,
    itemS: number,
    itemE: number,
    itemH: number,
    type: number,
    time: number,
  ): void {
    if (
      userS < 0 ||
      userE <= userS ||
      itemS < 0 ||
      itemE <= itemS ||
      userE - userS > MAX_ID_BYTES ||
      itemE - itemS > MAX_ID_BYTES ||
      type < 0 ||
      !plausibleTime(time)
    ) {
      this.skipped++;
      return;
    }
    if (buf !== this.batchBuf) {
      this.flush();
      this.batchBuf = buf;
    }
    const b = this.batched;
    const at = b * 3;
    const spans = this.batchSpans;
    spans[at] = userS;
    spans[at + 1] = userE;
    spans[at + 2] = userH;
    spans[BATCH * 3 + at] = itemS;
    spans[BATCH * 3 + at + 1] = itemE;
    spans[BATCH * 3 + at + 2] = itemH;
    this.batchTypes[b] = type;
    this.batchTimes[b] = time;
    this.batched = b + 1;
    if (b + 1 === BATCH) this.flush();
  }

  /** The buffer the batched rows' ids are in (one per batch). */
  private batchBuf: Uint8Array | undefined;
  /** Rows found but not yet interned. */
  private batched = 0;
  /** Per batched row: user start, end and hash, then (from BATCH * 3) the item's. */
  private readonly batchSpans = new Int32Array(BATCH * 6);
  private readonly batchTypes = new Uint8Array(BATCH);
  private readonly batchTimes = new Float64Array(BATCH);

  /**
   * Interns the batched rows' ids and appends the rows, in order. Every
   * slot the batch will read first is loaded first, in a loop whose
   * loads do not wait on each other (see {@link ByteInterner}). Called
   * when the batch is full, before the buffer its ids point into changes,
   * and before any row that does not go through the batch.
   */
  flush(): void {
    const n = this.batched;
    if (n === 0) return;
    const buf = this.batchBuf as Uint8Array;
    const spans = this.batchSpans;
    const { users, items, rows } = this;
    const I = BATCH * 3;
    let sink = 0;
    for (let b = 0; b < n; b++)
      sink += users.touch(spans[b * 3 + 2]) + items.touch(spans[I + b * 3 + 2]);
    users.sink = sink;
    rows.ensure(n);
    const { users: userCol, items: itemCol, types, times } = rows;
    let r = rows.length;
    for (let b = 0; b < n; b++) {
      const u = b * 3;
      userCol[r] = users.intern(buf, spans[u], spans[u + 1], spans[u + 2]);
      itemCol[r] = items.intern(buf, spans[I + u], spans[I + u + 1], spans[I + u + 2]);
      types[r] = this.batchTypes[b];
      times[r] = this.batchTimes[b];
      r++;
    }
    rows.length = r;
    this.batched = 0;
  }

  /** Any CSV line: columns by role, quotes, any time format; bad lines are counted. */
  private csvGeneral(buf: Uint8Array, start: number, end: number): void {
    if (end === start) return;
    const columns = this.columns;
    const ncol = columns.length;
    let userS = -1;
    let userE = -1;
    let userH = 0;
    let itemS = -1;
    let itemE = -1;
    let itemH = 0;
    let type = this.hasTypeColumn ? -1 : 0;
    let time = 0;
    let col = 0;
    let i = start;
    let fieldStart = start;
    let h = 0x811c9dc5;
    for (;;) {
      const c = i < end ? buf[i] : 0x2c;
      if (c === 0x2c) {
        if (col < ncol) {
          const role = columns[col];
          if (role === ROLE_USER) {
            userS = fieldStart;
            userE = i;
            userH = h;
          } else if (role === ROLE_ITEM) {
            itemS = fieldStart;
            itemE = i;
            itemH = h;
          } else if (role === ROLE_TYPE) {
            type = i > fieldStart ? typeCode(buf, fieldStart, i) : -1;
          } else if (role === ROLE_TIME_S || role === ROLE_TIME_MS) {
            const n = parseNumber(buf, fieldStart, i);
            time = !Number.isNaN(n)
              ? toMs(n, role)
              : parseTimeText(
                  Buffer.from(buf.buffer, buf.byteOffset + fieldStart, i - fieldStart).toString(
                    'utf8',
                  ),
                  role,
                );
          }
        }
        col++;
        if (i >= end) break;
        i++;
        fieldStart = i;
        h = 0x811c9dc5;
        continue;
      }
      if (c === 0x22) {
        this.csvQuotedLine(buf, start, end);
        return;
      }
      h = Math.imul(h ^ c, 0x01000193);
      i++;
    }
    // A short line (missing columns) is refused like a line missing a field.
    this.row(buf, userS, userE, userH, itemS, itemE, itemH, col < ncol ? -1 : type, time);
  }

  /** Slow path for a CSV line with quoted fields. */
  private csvQuotedLine(buf: Uint8Array, start: number, end: number): void {
    const line = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
    const fields = splitQuotedCsv(line);
    const columns = this.columns;
    if (fields === null || fields.length < columns.length) {
      this.skipped++;
      return;
    }
    let user = '';
    let item = '';
    let type = this.hasTypeColumn ? -1 : 0;
    let time = Number.NaN;
    for (let col = 0; col < columns.length; col++) {
      const role = columns[col];
      const value = fields[col];
      if (role === ROLE_USER) user = value;
      else if (role === ROLE_ITEM) item = value;
      else if (role === ROLE_TYPE) type = TYPE_INDEX.get(value) ?? -1;
      else if (role === ROLE_TIME_S || role === ROLE_TIME_MS) time = parseTimeText(value, role);
    }
    this.pushStrings(user, item, type, time);
  }

  private pushStrings(user: string, item: string, type: number, time: number): void {
    if (
      user === '' ||
      item === '' ||
      type < 0 ||
      !plausibleTime(time) ||
      Buffer.byteLength(user) > MAX_ID_BYTES ||
      Buffer.byteLength(item) > MAX_ID_BYTES
    ) {
      this.skipped++;
      return;
    }
    // Rows and new ids keep file order.
    this.flush();
    this.rows.push(this.users.internString(user), this.items.internString(item), type, time);
  }

  /**
   * One NDJSON line. Flat objects whose strings have no escapes are scanned
   * in place; anything else (escapes, `items` arrays, arrays of events) goes
   * through `JSON.parse`.
   */
  ndjsonLine(buf: Uint8Array, start: number, end: number): void {
    let i = start;
    while (i < end && isSpace(buf[i])) i++;
    while (end > i && isSpace(buf[end - 1])) end--;
    if (i === end) return;
    if (buf[i] !== 0x7b /* { */) {
      this.ndjsonSlow(buf, start, end);
      return;
    }
    i++;
    let userS = -1;
    let userE = -1;
    let userH = 0;
    let userRank = 0; // 2: a user key; 1: a session key
    let itemS = -1;
    let itemE = -1;
    let itemH = 0;
    let type = -1;
    let time = Number.NaN;
    for (;;) {
      while (i < end && isSpace(buf[i])) i++;
      if (buf[i] === 0x7d /* } */) break;
      if (buf[i] !== 0x22) {
        this.ndjsonSlow(buf, start, end);
        return;
      }
      const keyS = ++i;
      while (i < end && buf[i] !== 0x22 && buf[i] !== 0x5c) i++;
      if (i >= end || buf[i] !== 0x22) {
        this.ndjsonSlow(buf, start, end);
        return;
      }
      const role = keyRole(buf, keyS, i);
      // Keys match in any case, as on the slow path: an unknown key with capitals goes there.
      if (role === ROLE_NONE && hasUpper(buf, keyS, i)) {
        this.ndjsonSlow(buf, start, end);
        return;
      }
      i++;
      while (i < end && isSpace(buf[i])) i++;
      if (buf[i] !== 0x3a /* : */) {
        this.ndjsonSlow(buf, start, end);
        return;
      }
      i++;
      while (i < end && isSpace(buf[i])) i++;
      const c = buf[i];
      if (c === 0x22) {
        const valS = ++i;
        let h = 0x811c9dc5;
        while (i < end) {
          const b = buf[i];
          if (b === 0x22 || b === 0x5c) break;
          h = Math.imul(h ^ b, 0x01000193);
          i++;
        }
        if (i >= end || buf[i] !== 0x22) {
          this.ndjsonSlow(buf, start, end);
          return;
        }
        const valE = i;
        i++;
        if (role === ROLE_USER || (role === ROLE_SESSION && userRank < 2)) {
          userS = valS;
          userE = valE;
          userH = h;
          userRank = role === ROLE_USER ? 2 : 1;
        } else if (role === ROLE_ITEM) {
          itemS = valS;
          itemE = valE;
          itemH = h;
        } else if (role === ROLE_TYPE) {
          type = valE > valS ? typeCode(buf, valS, valE) : -1;
        } else if (role === ROLE_TIME_S || role === ROLE_TIME_MS) {
          time = parseTimeText(
            Buffer.from(buf.buffer, buf.byteOffset + valS, valE - valS).toString('utf8'),
            role,
          );
        }
      } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
        // Nested values (purchase lines) need a real JSON parser.
        this.ndjsonSlow(buf, start, end);
        return;
      } else {
        const valS = i;
        while (i < end && buf[i] !== 0x2c && buf[i] !== 0x7d && !isSpace(buf[i])) i++;
        if (role === ROLE_TIME_S || role === ROLE_TIME_MS) {
          const n = parseNumber(buf, valS, i);
          time = Number.isNaN(n) ? Number.NaN : toMs(n, role);
        } else if (role === ROLE_USER || role === ROLE_SESSION || role === ROLE_ITEM) {
          // Numeric ids: intern their text like a string, when it is what
          // JSON.parse and String() give back (a plain integer). Anything else
          // (1e3, 1.50, null, true, a bare word) takes the slow path, which
          // reads numbers as JSON does and refuses the rest.
          if (!isPlainInteger(buf, valS, i)) {
            this.ndjsonSlow(buf, start, end);
            return;
          }
          const h = fnv1a(buf, valS, i);
          if (role === ROLE_ITEM) {
            itemS = valS;
            itemE = i;
            itemH = h;
          } else if (role === ROLE_USER || userRank < 2) {
            userS = valS;
            userE = i;
            userH = h;
            userRank = role === ROLE_USER ? 2 : 1;
          }
        }
      }
      while (i < end && isSpace(buf[i])) i++;
      if (buf[i] === 0x2c) {
        i++;
        continue;
      }
      if (buf[i] === 0x7d) break;
      this.ndjsonSlow(buf, start, end);
      return;
    }
    // Anything after the closing brace is not JSON: the slow path refuses it.
    if (i !== end - 1) {
      this.ndjsonSlow(buf, start, end);
      return;
    }
    this.row(buf, userS, userE, userH, itemS, itemE, itemH, type, time);
  }

  private ndjsonSlow(buf: Uint8Array, start: number, end: number): void {
    let value: unknown;
    try {
      value = JSON.parse(
        Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8'),
      );
    } catch {
      this.skipped++;
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) this.jsonEvent(v);
    } else {
      this.jsonEvent(value);
    }
  }

  /** One parsed event object: the plain log fields or a LikewiseEvent. */
  private jsonEvent(value: unknown): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.skipped++;
      return;
    }
    const o = value as Record<string, unknown>;
    let user = '';
    let item = '';
    let typeName: unknown;
    let time = Number.NaN;
    let userRank = 0;
    let lines: unknown;
    for (const key of Object.keys(o)) {
      const role = ROLE_BY_NAME.get(key.toLowerCase()) ?? ROLE_NONE;
      const v = o[key];
      if (role === ROLE_USER || (role === ROLE_SESSION && userRank < 2)) {
        if (typeof v === 'string' || typeof v === 'number') {
          user = String(v);
          userRank = role === ROLE_USER ? 2 : 1;
        }
      } else if (role === ROLE_ITEM) {
        if (typeof v === 'string' || typeof v === 'number') item = String(v);
      } else if (role === ROLE_TYPE) {
        typeName = v;
      } else if (role === ROLE_TIME_S || role === ROLE_TIME_MS) {
        if (typeof v === 'number') time = toMs(v, role);
        else if (typeof v === 'string') time = parseTimeText(v, role);
      } else if (key === 'items') {
        lines = v;
      }
    }
    const type = typeof typeName === 'string' ? (TYPE_INDEX.get(typeName) ?? -1) : -1;
    if (item === '' && Array.isArray(lines) && lines.length > 0) {
      // A multi-item purchase: one row per line, in order.
      for (const line of lines) {
        const id = (line as { itemId?: unknown } | null)?.itemId;
        this.pushStrings(user, typeof id === 'string' ? id : '', type, time);
      }
      return;
    }
    this.pushStrings(user, item, type, time);
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

const KEY_BYTES: [Buffer, number][] = [...ROLE_BY_NAME].flatMap(([name, role]) => {
  const out: [Buffer, number][] = [[Buffer.from(name, 'latin1'), role]];
  // camelCase spellings used by the SDK's own events (itemId, userId).
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if (name === 'itemid') out.push([Buffer.from('itemId', 'latin1'), role]);
  else if (name === 'userid') out.push([Buffer.from('userId', 'latin1'), role]);
  else if (camel !== name) out.push([Buffer.from(camel, 'latin1'), role]);
  return out;
});

/** Has `buf[start, end)` an ASCII capital? */
function hasUpper(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] >= 0x41 && buf[i] <= 0x5a) return true;
  return false;
}

/**
 * Is `buf[start, end)` an integer as `String(JSON.parse(text))` writes it:
 * digits, no leading zero, at most 15 of them (so it is exact as a double)?
 */
function isPlainInteger(buf: Uint8Array, start: number, end: number): boolean {
  const len = end - start;
  if (len < 1 || len > 15 || (len > 1 && buf[start] === 0x30)) return false;
  for (let i = start; i < end; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return false;
  return true;
}

/** Role of the NDJSON key `buf[start, end)`. */
function keyRole(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  outer: for (const [name, role] of KEY_BYTES) {
    if (name.length !== len) continue;
    for (let i = 0; i < len; i++) if (buf[start + i] !== name[i]) continue outer;
    return role;
  }
  return ROLE_NONE;
}

function formatFromPath(path: string): EventFileFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl') || lower.endsWith('.json')) {
    return 'ndjson';
  }
  return undefined;
}

/** A byte range of an event file for one thread to parse (see {@link ReadEventsOptions.parallel}). */
export interface EventRangeTask {
  path: string;
  /** First byte (a line start). */
  start: number;
  /** End byte, exclusive (a line start or the file size). */
  end: number;
  layout: LogLayout;
  /** Expected rows, to size the columns. */
  capacity: number;
  /**
   * Parse into these columns (`capacity` rows from `into.at`) rather than
   * new ones, while the rows fit.
   */
  into?: RowRegion;
}

/** What parsing one range yields: rows with range-local ids, and those ids as bytes. */
export interface ParsedEventRange {
  users: Uint32Array;
  items: Uint32Array;
  types: Uint8Array;
  times: Float64Array;
  length: number;
  skipped: number;
  userKeys: InternedKeys;
  itemKeys: InternedKeys;
  /** The rows are in the task's `into` columns (they all fit). */
  inPlace: boolean;
}

/**
 * Room for this many times the rows the line length predicts, per half, when
 * the halves share columns: pages never written cost no memory, while a
 * half that outgrows its room is copied at the merge.
 */
const REGION_SLACK = 1.05;

/** Files smaller than this are parsed on one thread: a worker costs more than it saves. */
const PARALLEL_MIN_BYTES = 32 << 20;

type FileHandle = Awaited<ReturnType<typeof open>>;

/** Feeds the lines of `[start, end)` to `builder`, reading in chunks. */
async function parseRange(
  handle: FileHandle,
  builder: LogBuilder,
  format: EventFileFormat,
  start: number,
  end: number,
  chunkSize: number,
  onProgress?: (bytesDone: number) => void,
): Promise<void> {
  let buf = Buffer.allocUnsafe(Math.max(1 << 16, chunkSize));
  let filled = 0;
  let position = start;
  const csv = format === 'csv';
  for (;;) {
    if (filled === buf.length) {
      // A line longer than the buffer: make room for it.
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, filled);
      buf = bigger;
    }
    const want = Math.min(buf.length - filled, end - position);
    const n = want > 0 ? (await handle.read(buf, filled, want, position)).bytesRead : 0;
    position += n;
    filled += n;
    const last = n === 0;
    let pos = 0;
    for (;;) {
      let eol = buf.indexOf(10, pos);
      if (eol < 0 || eol >= filled) {
        if (!last || pos >= filled) break;
        eol = filled;
      }
      if (csv) builder.csvLine(buf, pos, eol);
      else builder.ndjsonLine(buf, pos, eol);
      pos = eol + 1;
    }
    // The batched rows point into `buf`, which is about to move.
    builder.flush();
    if (last) return;
    buf.copy(buf, 0, pos, filled);
    filled -= pos;
    onProgress?.(position - start);
  }
}

function rangeResult(builder: LogBuilder): ParsedEventRange {
  const rows = builder.rows;
  return {
    users: rows.users,
    items: rows.items,
    types: rows.types,
    times: rows.times,
    length: rows.length,
    skipped: builder.skipped,
    userKeys: builder.users.keyBytes(),
    itemKeys: builder.items.keyBytes(),
    inPlace: rows.inRegion,
  };
}

/**
 * Parses one byte range of an event file: the function a worker thread runs
 * for {@link ReadEventsOptions.parallel}. Ids in the result are local to the
 * range; {@link readEvents} maps them onto its own.
 *
 * @param collect - As {@link ReadEventsOptions.collect}.
 */
export async function readEventsRange(
  task: EventRangeTask,
  collect?: () => void,
): Promise<ParsedEventRange> {
  const handle = await open(task.path, 'r');
  try {
    const builder = new LogBuilder(task.capacity, task.layout, false, task.into);
    builder.users.onGrow = collect;
    builder.items.onGrow = collect;
    // Only the key bytes go back to the reading thread: no strings here.
    builder.users.keepStrings = false;
    builder.items.keepStrings = false;
    await parseRange(handle, builder, task.layout.format, task.start, task.end, 1 << 22);
    return rangeResult(builder);
  } finally {
    await handle.close();
  }
}

/** Reads up to `length` bytes at `position`. */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/**
 * Reads an event log file into an {@link InteractionLog}, streaming it in
 * chunks. Rows keep file order; timestamps become milliseconds (CSV and
 * NDJSON `timestamp` are unix seconds, NDJSON `ts` is milliseconds, ISO
 * dates are accepted, and a numeric `timestamp` of 1e11 or more is taken as
 * milliseconds). Malformed lines, unknown event types and events without an
 * item are skipped and counted, never fatal.
 *
 * CSV needs a header naming at least the user and item columns
 * (`user,item,timestamp,type`; `session`, `item_id`, `ts`, `event` and
 * similar names are understood); without a recognisable header the columns
 * are taken in that order. NDJSON lines are objects with the same fields,
 * or the SDK's collected events (`{ id, type, ts, session, itemId, items }`,
 * where `user`/`userId` if present wins over `session`, and a purchase with
 * `items` gives one row per line item).
 *
 * @param path - The file to read.
 * @param options - See {@link ReadEventsOptions}.
 * @returns The log, with `userIds` and the `skipped` count.
 * @throws LikewiseError `INVALID_INPUT` when the file cannot be opened.
 * @example
 * const log = await readEvents('events.csv');
 * console.log(log.length, log.itemIds.length, log.skipped);
 */
export async function readEvents(
  path: string,
  options: ReadEventsOptions = {},
): Promise<ReadEventsResult> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException)?.code;
    throw new LikewiseError(
      'INVALID_INPUT',
      `Cannot read events file ${path}${reason ? ` (${reason})` : ''}.`,
      error,
    );
  }
  try {
    const stat = await handle.stat();
    // Reads go by position (and by range on two threads): a pipe would read as empty.
    if (!stat.isFile())
      throw new LikewiseError(
        'INVALID_INPUT',
        `Events file ${path} is not a regular file (a pipe or a directory): save the log to a file first.`,
      );
    const size = stat.size;
    const head = await readAt(handle, 0, Math.min(size, 1 << 20));
    let dataStart = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    let first = dataStart;
    while (first < head.length && isSpace(head[first])) first++;
    const format =
      options.format ??
      formatFromPath(path) ??
      (head[first] === 0x7b || head[first] === 0x5b ? 'ndjson' : 'csv');
    let layout: LogLayout = { format, columns: [], hasTypeColumn: true };
    if (format === 'csv') {
      let eol = head.indexOf(10, dataStart);
      if (eol < 0) eol = head.length;
      const line = head.toString('utf8', dataStart, eol).replace(/\r$/, '');
      const parsed = csvLayout(line);
      layout = parsed.layout;
      if (parsed.header) dataStart = Math.min(eol + 1, size);
    }
    // Size the columns from the average line length of the first megabyte.
    let lines = 0;
    for (let at = head.indexOf(10); at >= 0; at = head.indexOf(10, at + 1)) lines++;
    const perLine = lines > 0 ? head.length / lines : 32;
    const rowsIn = (bytes: number, slack: number) => Math.ceil((bytes / perLine) * slack) + 1024;
    const shared = options.shared ?? false;
    const chunkSize = options.chunkSize ?? 1 << 22;

    // Split at the first line start after the middle; the second half goes to `parallel`.
    let split = size;
    if (options.parallel && size - dataStart >= (options.parallelMinBytes ?? PARALLEL_MIN_BYTES)) {
      const mid = dataStart + Math.floor((size - dataStart) / 2);
      const window = await readAt(handle, mid, 1 << 20);
      const nl = window.indexOf(10);
      if (nl >= 0 && mid + nl + 1 < size) split = mid + nl + 1;
    }
    const parallel = split < size ? options.parallel : undefined;
    // In shared memory the other half is parsed straight into this thread's
    // columns, after room for this half's rows: merging then moves rows
    // within memory already written, instead of filling new pages (over
    // 10 us each, a quarter of a second for ten million rows).
    let capacity = rowsIn(size, 1.02);
    let theirs = rowsIn(size - split, 1.02);
    let region: RowRegion | undefined;
    if (parallel && shared) {
      capacity = rowsIn(split - dataStart, REGION_SLACK);
      theirs = rowsIn(size - split, REGION_SLACK);
      const whole = new RowSink(capacity + theirs, true);
      const { users, items, types, times } = whole;
      region = { users, items, types, times, at: capacity };
    }
    const builder = new LogBuilder(capacity, layout, shared, region && { ...region, at: 0 });
    builder.users.keepStrings = options.userIds ?? true;
    builder.users.onGrow = options.collect;
    builder.items.onGrow = options.collect;
    const other = parallel?.({
      path,
      start: split,
      end: size,
      layout,
      capacity: theirs,
      into: region,
    });
    // Keep a rejected worker from becoming an unhandled rejection while we parse.
    other?.catch(() => {});
    const ownBytes = split - dataStart;
    await parseRange(handle, builder, format, dataStart, split, chunkSize, (done) =>
      options.onProgress?.(Math.round((done / Math.max(1, ownBytes)) * size * 0.98), size),
    );
    if (other) {
      const part = await other;
      const userMap = builder.users.merge(part.userKeys);
      const itemMap = builder.items.merge(part.itemKeys);
      const rows = builder.rows;
      const base = rows.length;
      // Both halves stayed in their parts of the columns: the other's rows
      // move down to follow this one's (forwards: each is read before a
      // write can reach it).
      const inPlace = region !== undefined && part.inPlace && rows.inRegion;
      if (region && inPlace) rows.widen(region);
      else rows.reserve(base + part.length);
      const { users, items, types, times } = rows;
      for (let r = 0; r < part.length; r++) {
        users[base + r] = userMap[part.users[r]];
        items[base + r] = itemMap[part.items[r]];
      }
      if (region && inPlace) {
        types.copyWithin(base, region.at, region.at + part.length);
        times.copyWithin(base, region.at, region.at + part.length);
      } else {
        types.set(part.types.subarray(0, part.length), base);
        times.set(part.times.subarray(0, part.length), base);
      }
      rows.length = base + part.length;
      builder.skipped += part.skipped;
    }
    options.onProgress?.(size, size);
    const rows = builder.rows;
    return {
      itemIds: builder.items.ids,
      userIds: builder.users.ids,
      userCount: builder.users.count,
      users: rows.users,
      items: rows.items,
      types: rows.types,
      times: rows.times,
      length: rows.length,
      skipped: builder.skipped,
      format,
    };
  } finally {
    await handle.close();
  }
}
