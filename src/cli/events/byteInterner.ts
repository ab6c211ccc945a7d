/**
 * Interning of byte strings (user and item ids) to dense indexes, without a
 * JS string per lookup: the hash table behind the event reader.
 */
import { FNV_OFFSET, FNV_PRIME } from '../../shared/fnv1a';

/** The keys of a {@link ByteInterner} as bytes, to send to another thread. */
export interface InternedKeys {
  arena: Uint8Array;
  ends: Uint32Array;
}

/** Rows (or keys) interned at a time (see {@link LogBuilder.flush}). */
export const BATCH = 256;

/**
 * Tables of at least this many int32s (2 MiB, 131,072 slots) are collected
 * as soon as they are replaced.
 */
const GROW_COLLECT_INTS = 1 << 19;

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
export class ByteInterner {
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
export function fnv1a(buf: Uint8Array, start: number, end: number): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], FNV_PRIME);
  return h;
}
