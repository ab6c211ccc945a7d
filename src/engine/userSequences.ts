/**
 * Each user's distinct items in the order they were last met: what the
 * sequence-aware similarity reads, where the order of a visit says which
 * item leads to which (the user x item matrix keeps no order).
 */
import { LikewiseError } from '../errors';
import { EVENT_TYPE_CODES, type InteractionLog } from './types';
import {
  countedTypesOf,
  typeWeights,
  type UserItemMatrix,
  type UserItemMatrixOptions,
  type UserRows,
} from './userItemMatrix';

/** Users' item sequences in CSR form: user u's are `items[offsets[u] .. offsets[u+1])`, oldest first. */
export interface UserSequences {
  offsets: Uint32Array;
  items: Uint32Array;
  /** The pair's value: its strongest event type's weight (1 when `binary`). */
  values: Float32Array;
}

/**
 * Builds every user's sequence: one entry per distinct counted item, placed
 * at its latest event (the later line on equal times, as the evaluation
 * protocol keeps pairs), oldest first; with `maxItemsPerUser`, only the most
 * recent ones. No time decay (`halfLifeDays` is not read): the order is the
 * signal here.
 *
 * @param rows - The log's rows grouped by user for the same counted types: their per-user counts are reused.
 * @example const s = userSequences(log, { maxItemsPerUser: 1000 });
 */
export function userSequences(
  log: InteractionLog,
  options: UserItemMatrixOptions = {},
  rows?: UserRows,
): UserSequences {
  const weightOf = typeWeights(options);
  const counted = countedTypesOf(options);
  const cap = options.maxItemsPerUser ?? Number.POSITIVE_INFINITY;
  if (log.itemIds.length > MAX_ITEMS)
    throw new LikewiseError(
      'INVALID_INPUT',
      `userSequences reads at most ${MAX_ITEMS} items, got ${log.itemIds.length}`,
    );
  // The given grouping's counts, when it counted the same types.
  const reuse =
    rows?.counted.every((c, x) => c === counted[x]) &&
    rows.byUser.length === rows.rowStart[log.userCount]
      ? rows
      : undefined;
  // One pass: each user's counted rows, whether they are in time order
  // already (a log sorted by time, or by user then time), and whether the
  // file groups them by user too (sorted by user then time).
  const rowStart = reuse ? reuse.rowStart : new Uint32Array(log.userCount + 1);
  const bounds = new Float64Array(2);
  const order = scanUsers(log, counted, rowStart, !reuse, bounds);
  const inOrder = order !== UNORDERED;
  // Each user's rows (as codes) in time order, then line: the file order
  // when it is that already; else a counting sort by user of the file
  // order when that is the time order, or of the rows sorted by time (a
  // stable radix sort of the whole log instead of a comparison sort per
  // user).
  const grouped =
    order === BY_USER
      ? fileCodes(log, counted, rowStart[log.userCount])
      : inOrder
        ? groupCodes(log, counted, rowStart)
        : groupRows(log, rowStart, rowsByTime(log, counted, rowStart, bounds));
  return collapseSequences(log, weightOf, cap, rowStart, grouped);
}

/**
 * A counted row as the grouping writes it: its item and event type in one
 * word (`item << TYPE_BITS | type`) instead of the row's number, so the
 * collapse reads each user's rows in order, not at random through the
 * log's columns (a cache miss each on a large log).
 */
const TYPE_BITS = 32 - Math.clz32(EVENT_TYPE_CODES.length - 1);
const TYPE_MASK = (1 << TYPE_BITS) - 1;
/** The most items whose indexes fit beside a type code in one word. */
const MAX_ITEMS = 2 ** (32 - TYPE_BITS);

/** The counted rows' codes in file order (`n` of them). */
function fileCodes(log: InteractionLog, counted: Uint8Array, n: number): Uint32Array {
  const { items, types, length } = log;
  const codes = new Uint32Array(n);
  let x = 0;
  for (let r = 0; r < length; r++) {
    const t = types[r];
    codes[x] = (items[r] << TYPE_BITS) | t;
    x += counted[t];
  }
  return codes;
}

/** The counted rows' codes grouped by user, file order kept inside a user (a counting sort). */
function groupCodes(log: InteractionLog, counted: Uint8Array, rowStart: Uint32Array): Uint32Array {
  const { users, items, types, length } = log;
  const next = rowStart.slice(0, log.userCount);
  const grouped = new Uint32Array(rowStart[log.userCount]);
  for (let r = 0; r < length; r++) {
    const t = types[r];
    if (counted[t] === 0) continue;
    grouped[next[users[r]]++] = (items[r] << TYPE_BITS) | t;
  }
  return grouped;
}

/** What {@link scanUsers} found: some user's rows out of time order, */
const UNORDERED = 0;
/** each user's rows in time order, */
const IN_ORDER = 1;
/** and the users' rows one after the other, by user. */
const BY_USER = 2;

/**
 * Counts each user's counted rows into `rowStart` (as starts, the total
 * last) when `count`, their earliest and latest times into `bounds`; returns how far the file is in order already
 * ({@link UNORDERED}, {@link IN_ORDER} or {@link BY_USER}).
 * Each hot loop here and below is a function of its own: a loop is
 * optimised while it runs (on-stack replacement), and code after it in the
 * same function, not yet run then, would fall back to the interpreter.
 */
function scanUsers(
  log: InteractionLog,
  counted: Uint8Array,
  rowStart: Uint32Array,
  count: boolean,
  bounds: Float64Array,
): number {
  const { users, types, times, length, userCount } = log;
  const last = new Float64Array(userCount).fill(Number.NEGATIVE_INFINITY);
  let least = Number.POSITIVE_INFINITY;
  let most = Number.NEGATIVE_INFINITY;
  let descents = 0;
  let userDescents = 0;
  let previous = 0;
  for (let r = 0; r < length; r++) {
    const c = counted[types[r]];
    if (c === 0) continue;
    const u = users[r];
    const t = times[r];
    descents += Number(t < last[u]);
    userDescents += Number(u < previous);
    previous = u;
    last[u] = t;
    least = Math.min(least, t);
    most = Math.max(most, t);
    if (count) rowStart[u + 1]++;
  }
  bounds[0] = least;
  bounds[1] = most;
  if (count) for (let u = 0; u < userCount; u++) rowStart[u + 1] += rowStart[u];
  if (descents > 0) return UNORDERED;
  return userDescents === 0 ? BY_USER : IN_ORDER;
}

/** The counted rows in file order. */
function countedRows(log: InteractionLog, counted: Uint8Array, rowStart: Uint32Array): Uint32Array {
  const { types, length } = log;
  const order = new Uint32Array(rowStart[log.userCount]);
  let x = 0;
  for (let r = 0; r < length; r++) {
    order[x] = r;
    x += counted[types[r]];
  }
  return order;
}

/** The codes of `order`'s rows grouped by user, their order kept inside a user. */
function groupRows(log: InteractionLog, rowStart: Uint32Array, order: Uint32Array): Uint32Array {
  const { users, items, types } = log;
  const next = rowStart.slice(0, rowStart.length - 1);
  const grouped = new Uint32Array(order.length);
  for (let x = 0; x < order.length; x++) {
    const r = order[x];
    grouped[next[users[r]]++] = (items[r] << TYPE_BITS) | types[r];
  }
  return grouped;
}

/**
 * Each user's distinct items from its rows' codes in time order
 * (`grouped`, user u's at `[rowStart[u], rowStart[u+1])`): an item's first row met walking
 * latest first is its latest event, the rest only raise its value; past
 * the cap no new item is kept.
 */
function collapseSequences(
  log: InteractionLog,
  weightOf: Float64Array,
  cap: number,
  rowStart: Uint32Array,
  grouped: Uint32Array,
): UserSequences {
  const { userCount } = log;
  const total = grouped.length;
  const offsets = new Uint32Array(userCount + 1);
  const items = new Uint32Array(total);
  const values = new Float32Array(total);
  // Per item: its slot in the current user's kept items (-1: none yet).
  const slot = new Int32Array(log.itemIds.length).fill(-1);
  // The user's kept items, latest first.
  let longest = 0;
  for (let u = 0; u < userCount; u++) longest = Math.max(longest, rowStart[u + 1] - rowStart[u]);
  const keptItem = new Uint32Array(longest);
  const keptValue = new Float32Array(longest);
  let out = 0;
  for (let u = 0; u < userCount; u++) {
    let n = 0;
    for (let p = rowStart[u + 1]; p-- > rowStart[u]; ) {
      const c = grouped[p];
      const it = c >>> TYPE_BITS;
      const v = weightOf[c & TYPE_MASK];
      const s = slot[it];
      if (s >= 0) {
        if (v > keptValue[s]) keptValue[s] = v;
      } else if (n < cap) {
        slot[it] = n;
        keptItem[n] = it;
        keptValue[n++] = v;
      }
    }
    for (let x = n; x-- > 0; ) {
      slot[keptItem[x]] = -1;
      items[out] = keptItem[x];
      values[out++] = keptValue[x];
    }
    offsets[u + 1] = out;
  }
  return trimmed(offsets, items, values, out);
}

function trimmed(
  offsets: Uint32Array,
  items: Uint32Array,
  values: Float32Array,
  n: number,
): UserSequences {
  if (n === items.length) return { offsets, items, values };
  return { offsets, items: items.slice(0, n), values: values.slice(0, n) };
}

/**
 * The counted rows of the log ordered by time, then line: a stable LSD
 * radix sort of one key per row, over the bits that differ between rows
 * only. When every time is an integer the key is the time less the
 * earliest, in seconds when every time is a whole number of seconds (as
 * most logs' are): fewer bits, so fewer passes, than the float64 bits of
 * the times, which are the key otherwise.
 */
function rowsByTime(
  log: InteractionLog,
  counted: Uint8Array,
  rowStart: Uint32Array,
  bounds: Float64Array,
): Uint32Array {
  const order = countedRows(log, counted, rowStart);
  // Whole seconds within 2^32 of each other (most logs): keys in seconds,
  // checked as they are made.
  const span = (bounds[1] - bounds[0]) / SECOND_MS;
  if (span < 2 ** 32) {
    const keys = new Uint32Array(order.length);
    if (secondKeys(log.times, order, bounds[0], keys))
      return sortByTime(keys, order, span < 1 ? 0 : Math.floor(Math.log2(span)) + 1);
  }
  // [earliest, unit (0: not all integers), first bit, one past the last bit]
  const range = new Float64Array(4);
  timeRange(log.times, order, range);
  // Keys by row number, so the passes move only the rows.
  const lo = new Uint32Array(log.length);
  const hi = new Uint32Array(range[3] > 32 ? log.length : 0);
  if (range[1] > 0) integerKeys(log.times, order, range[0], range[1], lo, hi);
  else bitKeys(log.times, order, lo, hi, range);
  return sortByKeys(order, lo, hi, range[2], range[3]);
}

/**
 * Each row of `order`'s time less `min` in whole seconds into `keys`;
 * true when every key gives its time back exactly (so the keys order the
 * rows as their times do, ties and all).
 */
function secondKeys(
  times: Float64Array,
  order: Uint32Array,
  min: number,
  keys: Uint32Array,
): boolean {
  let exact = 0;
  for (let x = 0; x < order.length; x++) {
    const t = times[order[x]];
    const k = ((t - min) / SECOND_MS) >>> 0;
    keys[x] = k;
    exact += Number(k * SECOND_MS + min === t);
  }
  return exact === order.length;
}

/**
 * `order` sorted (stably) by `keys` (in `order`'s order, `end` bits):
 * LSD passes that move each key with its row (no key looked up by row),
 * the last one the rows only.
 */
function sortByTime(keys: Uint32Array, order: Uint32Array, end: number): Uint32Array {
  const n = order.length;
  let rows: Uint32Array = order;
  if (end === 0) return rows;
  const passes = Math.ceil(end / Math.max(8, Math.min(16, Math.ceil(Math.log2(n + 1)))));
  const width = Math.ceil(end / passes);
  const count = new Uint32Array(1 << width);
  let from: Uint32Array = keys;
  let toKeys: Uint32Array = new Uint32Array(passes > 1 ? n : 0);
  let toRows: Uint32Array = new Uint32Array(n);
  for (let pass = 0; pass < passes; pass++) {
    const shift = pass * width;
    const mask = (1 << Math.min(width, end - shift)) - 1;
    keyPass(from, rows, shift, mask, count, toKeys, toRows, pass + 1 < passes);
    [from, toKeys] = [toKeys, from];
    [rows, toRows] = [toRows, rows];
  }
  return rows;
}

/**
 * One stable counting-sort pass by the digit `(key >>> shift) & mask`:
 * rows (and keys, when `moveKeys`) into `toRows` (and `toKeys`).
 */
function keyPass(
  keys: Uint32Array,
  rows: Uint32Array,
  shift: number,
  mask: number,
  count: Uint32Array,
  toKeys: Uint32Array,
  toRows: Uint32Array,
  moveKeys: boolean,
): void {
  count.fill(0, 0, mask + 1);
  const n = rows.length;
  for (let y = 0; y < n; y++) count[(keys[y] >>> shift) & mask]++;
  countsToStarts(count, mask);
  if (moveKeys)
    for (let y = 0; y < n; y++) {
      const key = keys[y];
      const to = count[(key >>> shift) & mask]++;
      toKeys[to] = key;
      toRows[to] = rows[y];
    }
  else for (let y = 0; y < n; y++) toRows[count[(keys[y] >>> shift) & mask]++] = rows[y];
}

/** A second in milliseconds. */
const SECOND_MS = 1000;

/**
 * Into `out`: the earliest time; the unit of the integer keys (1000 when
 * every time is a whole number of seconds, 1 when every time is an
 * integer, 0 when some is not: the float64 bits are the keys then); and
 * the bits the keys span, `[out[2], out[3])` (for the float64 bits, all 64
 * until {@link bitKeys} finds which differ).
 */
function timeRange(times: Float64Array, order: Uint32Array, out: Float64Array): void {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let integers = 0;
  let seconds = 0;
  for (let x = 0; x < order.length; x++) {
    const t = times[order[x]];
    const q = t / SECOND_MS;
    integers += Number(Math.floor(t) === t);
    seconds += Number(Math.floor(q) === q);
    min = Math.min(min, t);
    max = Math.max(max, t);
  }
  const n = order.length;
  const whole = n > 0 && integers === n && max - min < 2 ** 53;
  const unit = whole ? (seconds === n ? SECOND_MS : 1) : 0;
  const range = whole ? (max - min) / unit : 0;
  out[0] = min;
  out[1] = unit;
  out[2] = 0;
  out[3] = whole ? (range < 1 ? 0 : Math.floor(Math.log2(range)) + 1) : 64;
}

/** Each row's time less `min`, in units of `unit`: its low 32 bits in `lo`, the rest in `hi`. */
function integerKeys(
  times: Float64Array,
  order: Uint32Array,
  min: number,
  unit: number,
  lo: Uint32Array,
  hi: Uint32Array,
): void {
  if (hi.length === 0) {
    for (let x = 0; x < order.length; x++) {
      const r = order[x];
      lo[r] = (times[r] - min) / unit;
    }
    return;
  }
  for (let x = 0; x < order.length; x++) {
    const r = order[x];
    const k = (times[r] - min) / unit;
    lo[r] = k % 2 ** 32;
    hi[r] = Math.floor(k / 2 ** 32);
  }
}

/**
 * Each row's time's float64 bits, turned so that as unsigned (high, low)
 * words they order as the numbers: negative numbers order backwards (all
 * bits turned), the others above them (sign bit set); -0 counts as +0.
 * Into `range[2..3]`: the lowest bit that differs between rows, and one
 * past the highest.
 */
function bitKeys(
  times: Float64Array,
  order: Uint32Array,
  lo: Uint32Array,
  hi: Uint32Array,
  range: Float64Array,
): void {
  const bits = new Float64Array(1);
  const word = new Uint32Array(bits.buffer);
  // The low word first on little-endian machines (all that run JavaScript today).
  const low = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
  let diffLo = 0;
  let diffHi = 0;
  let firstLo = 0;
  let firstHi = 0;
  for (let x = 0; x < order.length; x++) {
    const r = order[x];
    bits[0] = times[r] + 0;
    // All bits turned (negative numbers), or the sign bit set.
    const turn = -(word[1 - low] >>> 31);
    const l = (word[low] ^ turn) >>> 0;
    const h = (word[1 - low] ^ (turn | 0x80000000)) >>> 0;
    lo[r] = l;
    hi[r] = h;
    if (x === 0) {
      firstLo = l;
      firstHi = h;
    }
    diffLo |= l ^ firstLo;
    diffHi |= h ^ firstHi;
  }
  range[2] = diffLo !== 0 ? ctz(diffLo) : diffHi !== 0 ? 32 + ctz(diffHi) : 0;
  range[3] = diffHi !== 0 ? 64 - Math.clz32(diffHi) : 32 - Math.clz32(diffLo);
}

/** The index of the lowest set bit of a nonzero 32-bit word. */
function ctz(v: number): number {
  return 31 - Math.clz32(v & -v);
}

/**
 * `order` sorted (stably) by the bits `[first, end)` of each row's 64-bit
 * key (`hi[r]`, `lo[r]`): LSD passes over digits of at most 16 bits, none
 * across the two words.
 */
function sortByKeys(
  order: Uint32Array,
  lo: Uint32Array,
  hi: Uint32Array,
  first: number,
  end: number,
): Uint32Array {
  const n = order.length;
  const widest = Math.max(8, Math.min(16, Math.ceil(Math.log2(n + 1))));
  const count = new Uint32Array(1 << widest);
  let from: Uint32Array = order;
  let to: Uint32Array = new Uint32Array(end > first ? n : 0);
  for (const [a, b, keys] of [
    [first, Math.min(end, 32), lo],
    [Math.max(first, 32), end, hi],
  ] as const) {
    const size = b - a;
    const passes = Math.ceil(size / widest);
    const width = Math.ceil(size / passes);
    for (let pass = 0; pass < passes; pass++) {
      const shift = (a & 31) + pass * width;
      radixPass(keys, shift, (1 << Math.min(width, size - pass * width)) - 1, count, from, to);
      [from, to] = [to, from];
    }
  }
  return from;
}

/** Turns the counts `count[0 ..= last]` into the slots where each digit's rows start. */
function countsToStarts(count: Uint32Array, last: number): void {
  let sum = 0;
  for (let c = 0; c <= last; c++) {
    const k = count[c];
    count[c] = sum;
    sum += k;
  }
}

/** One stable counting-sort pass of `from` into `to` by the digit `(keys[r] >>> shift) & mask`. */
function radixPass(
  keys: Uint32Array,
  shift: number,
  mask: number,
  count: Uint32Array,
  from: Uint32Array,
  to: Uint32Array,
): void {
  count.fill(0, 0, mask + 1);
  for (let y = 0; y < from.length; y++) count[(keys[from[y]] >>> shift) & mask]++;
  countsToStarts(count, mask);
  for (let y = 0; y < from.length; y++) {
    const r = from[y];
    to[count[(keys[r] >>> shift) & mask]++] = r;
  }
}

/**
 * The pairs a sequence build visits: for each entry, the entries within
 * `window` steps either side in its user's sequence (its cost, as
 * `coOccurringPairs` is a cosine build's).
 */
export function windowedPairs(s: UserSequences, window: number): number {
  let pairs = 0;
  for (let u = 0; u + 1 < s.offsets.length; u++) {
    const n = s.offsets[u + 1] - s.offsets[u];
    // Pairs (a, b) with 0 < b - a <= window, each visited from both ends.
    const w = Math.min(window, n - 1);
    if (w > 0) pairs += 2 * (w * n - (w * (w + 1)) / 2);
  }
  return pairs;
}

/**
 * The user x item matrix of the same pairs, for a sequence build's norms
 * and popularity order: the sequences are its user side already (one entry
 * per distinct user and item, valued by the strongest event), so only the
 * item side is counted out, with no second pass over the log.
 */
export function sequenceMatrix(s: UserSequences, itemCount: number): UserItemMatrix {
  const n = s.items.length;
  const itemOffsets = new Uint32Array(itemCount + 1);
  for (let q = 0; q < n; q++) itemOffsets[s.items[q] + 1]++;
  for (let i = 0; i < itemCount; i++) itemOffsets[i + 1] += itemOffsets[i];
  const next = itemOffsets.slice(0, itemCount);
  const itemUsers = new Uint32Array(n);
  const itemValues = new Float32Array(n);
  const users = s.offsets.length - 1;
  for (let u = 0; u < users; u++)
    for (let q = s.offsets[u]; q < s.offsets[u + 1]; q++) {
      const p = next[s.items[q]]++;
      itemUsers[p] = u;
      itemValues[p] = s.values[q];
    }
  return {
    userCount: users,
    itemCount,
    userOffsets: s.offsets,
    userItems: s.items,
    userValues: s.values,
    itemOffsets,
    itemUsers,
    itemValues,
  };
}
