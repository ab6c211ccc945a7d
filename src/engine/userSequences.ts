/**
 * Each user's distinct items in the order they were last met: what the
 * sequence-aware similarity reads, where the order of a visit says which
 * item leads to which (the user x item matrix keeps no order).
 */
import type { InteractionLog } from './types';
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
  const { userCount, users, items: itemOf, types } = log;
  const cap = options.maxItemsPerUser ?? Number.POSITIVE_INFINITY;
  // Every counted row by time, then line: one stable radix sort of the whole
  // log instead of a comparison sort per user.
  const [byTime, spare] = rowsByTime(log, counted);
  const total = byTime.length;
  const rowStart =
    rows?.counted.every((c, x) => c === counted[x]) && rows.rowStart[userCount] === total
      ? rows.rowStart
      : userStarts(log, byTime);
  // Then by user (a counting sort keeps the time order inside a user), with
  // each row's item and value, read once here.
  const next = rowStart.slice(0, userCount);
  const groupedItem = spare;
  const groupedValue = new Float32Array(total);
  let longest = 0;
  for (let u = 0; u < userCount; u++) longest = Math.max(longest, rowStart[u + 1] - rowStart[u]);
  for (let x = 0; x < total; x++) {
    const r = byTime[x];
    const to = next[users[r]]++;
    groupedItem[to] = itemOf[r];
    groupedValue[to] = weightOf[types[r]];
  }
  const offsets = new Uint32Array(userCount + 1);
  const items = byTime;
  const values = new Float32Array(total);
  // Per item: its slot in the current user's kept items (-1: none yet).
  const slot = new Int32Array(log.itemIds.length).fill(-1);
  // The user's kept items, latest first.
  const keptItem = new Uint32Array(longest);
  const keptValue = new Float32Array(longest);
  let out = 0;
  for (let u = 0; u < userCount; u++) {
    // Latest first: an item's first row met is its latest event, the rest
    // only raise its value; past the cap no new item is kept.
    let n = 0;
    for (let p = rowStart[u + 1]; p-- > rowStart[u]; ) {
      const it = groupedItem[p];
      const v = groupedValue[p];
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
  return out === total
    ? { offsets, items, values }
    : { offsets, items: items.slice(0, out), values: values.slice(0, out) };
}

/** Each user's first row in `byTime` grouped by user, and the total last. */
function userStarts(log: InteractionLog, byTime: Uint32Array): Uint32Array {
  const start = new Uint32Array(log.userCount + 1);
  for (let x = 0; x < byTime.length; x++) start[log.users[byTime[x]] + 1]++;
  for (let u = 0; u < log.userCount; u++) start[u + 1] += start[u];
  return start;
}

/**
 * The counted rows of the log ordered by time, then line, and a spare array
 * of the same length: an LSD radix sort of each time's float64 bits (turned
 * so that they order as the numbers), over the bits that differ between rows
 * only, in digits of at most 16 bits. Not sorted when each user's rows are
 * in time order already.
 */
function rowsByTime(log: InteractionLog, counted: Uint8Array): [Uint32Array, Uint32Array] {
  const { types, times, users, length } = log;
  const bits = new Float64Array(1);
  const word = new Uint32Array(bits.buffer);
  // The low word first on little-endian machines (all that run JavaScript today).
  const low = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
  // A first pass keeps no key: only which bits differ, and whether each
  // user's rows' time order is their file order already (a log sorted by
  // time, or by user then time), when the grouping by user alone sorts.
  let n = 0;
  let firstLo = 0;
  let firstHi = 0;
  let diffLo = 0;
  let diffHi = 0;
  let inOrder = true;
  const lastLo = new Uint32Array(log.userCount);
  const lastHi = new Uint32Array(log.userCount);
  for (let r = 0; r < length; r++) {
    if (counted[types[r]] === 0) continue;
    turnedBits(times[r], bits, word, low);
    const l = word[low];
    const h = word[1 - low];
    if (n++ === 0) {
      firstLo = l;
      firstHi = h;
    }
    diffLo |= l ^ firstLo;
    diffHi |= h ^ firstHi;
    if (inOrder) {
      const u = users[r];
      if (h < lastHi[u] || (h === lastHi[u] && l < lastLo[u])) inOrder = false;
      lastLo[u] = l;
      lastHi[u] = h;
    }
  }
  let order = new Uint32Array(n);
  let spareOrder = new Uint32Array(n);
  if (inOrder || n < 2) {
    for (let r = 0, x = 0; r < length; r++) if (counted[types[r]] !== 0) order[x++] = r;
    return [order, spareOrder];
  }
  // The keys: the differing bits only, shifted down to bit 0 of (hi, lo).
  const first = diffLo !== 0 ? ctz(diffLo) : 32 + ctz(diffHi);
  const span = (diffHi !== 0 ? 64 - Math.clz32(diffHi) : 32 - Math.clz32(diffLo)) - first;
  let lo = new Uint32Array(n);
  let hi = new Uint32Array(span > 32 ? n : 0);
  for (let r = 0, x = 0; r < length; r++) {
    if (counted[types[r]] === 0) continue;
    turnedBits(times[r], bits, word, low);
    const l = word[low];
    const h = word[1 - low];
    order[x] = r;
    if (first >= 32) lo[x] = h >>> (first - 32);
    else if (first > 0) lo[x] = ((l >>> first) | (h << (32 - first))) >>> 0;
    else lo[x] = l;
    if (span > 32) hi[x] = first > 0 ? h >>> first : h;
    x++;
  }
  // Digits of at most `widest` bits, none across the two words: (in the high word, shift, width).
  const widest = Math.max(8, Math.min(16, Math.ceil(Math.log2(n + 1))));
  const digits: [boolean, number, number][] = [];
  for (const [size, ofHi] of [
    [Math.min(span, 32), false],
    [span - 32, true],
  ] as const) {
    const passes = Math.ceil(size / widest);
    for (let pass = 0; pass < passes; pass++) {
      const width = Math.ceil(size / passes);
      digits.push([ofHi, pass * width, Math.min(width, size - pass * width)]);
    }
  }
  const count = new Uint32Array(1 << widest);
  // Only the words later digits read move along.
  const lowDigits = digits.filter(([ofHi]) => !ofHi).length;
  let spareLo = new Uint32Array(lowDigits > 1 ? n : 0);
  let spareHi = new Uint32Array(span > 32 ? n : 0);
  for (let d = 0; d < digits.length; d++) {
    const [ofHi, shift, width] = digits[d];
    const keys = ofHi ? hi : lo;
    const mask = (1 << width) - 1;
    count.fill(0, 0, mask + 1);
    for (let y = 0; y < n; y++) count[(keys[y] >>> shift) & mask]++;
    let sum = 0;
    for (let c = 0; c <= mask; c++) {
      const k = count[c];
      count[c] = sum;
      sum += k;
    }
    const moveLo = d + 1 < lowDigits;
    const moveHi = d + 1 < digits.length && span > 32;
    for (let y = 0; y < n; y++) {
      const to = count[(keys[y] >>> shift) & mask]++;
      spareOrder[to] = order[y];
      if (moveLo) spareLo[to] = lo[y];
      if (moveHi) spareHi[to] = hi[y];
    }
    [order, spareOrder] = [spareOrder, order];
    if (moveLo) [lo, spareLo] = [spareLo, lo];
    if (moveHi) [hi, spareHi] = [spareHi, hi];
  }
  return [order, spareOrder];
}

/**
 * A time's float64 bits into `word` (through `bits`, which shares its
 * memory), turned so that as unsigned (high, low) words they order as the
 * numbers: negative numbers order backwards (all bits turned), the others
 * above them (sign bit set). -0 counts as +0.
 */
function turnedBits(t: number, bits: Float64Array, word: Uint32Array, low: number): void {
  bits[0] = t + 0;
  if (word[1 - low] >>> 31) {
    word[0] = ~word[0];
    word[1] = ~word[1];
  } else word[1 - low] |= 0x80000000;
}

/** The index of the lowest set bit of a nonzero 32-bit word. */
function ctz(v: number): number {
  return 31 - Math.clz32(v & -v);
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
