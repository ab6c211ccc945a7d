/**
 * Each user's distinct items in the order they were last met: what the
 * sequence-aware similarity reads, where the order of a visit says which
 * item leads to which (the user x item matrix keeps no order).
 */
import type { InteractionLog } from './types';
import {
  countedTypesOf,
  groupRowsByUser,
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
 * @param rows - The log's rows grouped by user for the same counted types, to share that pass.
 * @example const s = userSequences(log, { maxItemsPerUser: 1000 });
 */
export function userSequences(
  log: InteractionLog,
  options: UserItemMatrixOptions = {},
  rows?: UserRows,
): UserSequences {
  const weightOf = typeWeights(options);
  const counted = countedTypesOf(options);
  const reusable =
    rows !== undefined &&
    rows.items === undefined &&
    rows.counted.every((c, x) => c === counted[x]);
  const grouped = reusable ? rows : groupRowsByUser(log, counted);
  const { rowStart, byUser } = grouped;
  const { userCount } = log;
  const cap = options.maxItemsPerUser ?? Number.POSITIVE_INFINITY;
  const total = rowStart[userCount];
  const offsets = new Uint32Array(userCount + 1);
  const items = new Uint32Array(total);
  const values = new Float32Array(total);
  // Per item: its slot in the current user's pairs (-1: none yet).
  const slot = new Int32Array(log.itemIds.length).fill(-1);
  let pairRow = new Uint32Array(64);
  let pairValue = new Float32Array(64);
  let order = new Uint32Array(64);
  let spare = new Uint32Array(64);
  let key = new Float64Array(64);
  let out = 0;
  for (let u = 0; u < userCount; u++) {
    const p0 = rowStart[u];
    const p1 = rowStart[u + 1];
    if (pairRow.length < p1 - p0) {
      pairRow = new Uint32Array(2 * (p1 - p0));
      pairValue = new Float32Array(pairRow.length);
      order = new Uint32Array(pairRow.length);
      spare = new Uint32Array(pairRow.length);
      key = new Float64Array(pairRow.length);
    }
    let n = 0;
    for (let p = p0; p < p1; p++) {
      const r = byUser[p];
      const it = log.items[r];
      const v = weightOf[log.types[r]];
      const s = slot[it];
      if (s < 0) {
        slot[it] = n;
        pairRow[n] = r;
        pairValue[n++] = v;
      } else {
        // Rows come in file order: on equal times this is the later row.
        if (log.times[r] >= log.times[pairRow[s]]) pairRow[s] = r;
        if (v > pairValue[s]) pairValue[s] = v;
      }
    }
    // By time, then row; usually in order already (one pass checks).
    let sorted = true;
    for (let s = 0; s < n; s++) {
      order[s] = s;
      slot[log.items[pairRow[s]]] = -1;
      if (s > 0 && !before(log, pairRow[s - 1], pairRow[s])) sorted = false;
    }
    const ord = order.subarray(0, n);
    if (!sorted) {
      for (let x = 0; x < n; x++) key[x] = log.times[pairRow[x]];
      sortByTime(ord, spare, key, pairRow, n);
    }
    for (let x = Math.max(0, n - cap); x < n; x++) {
      items[out] = log.items[pairRow[ord[x]]];
      values[out++] = pairValue[ord[x]];
    }
    offsets[u + 1] = out;
  }
  return { offsets, items: items.slice(0, out), values: values.slice(0, out) };
}

/** Is row a's event before row b's (time, then file order)? */
function before(log: InteractionLog, a: number, b: number): boolean {
  return log.times[a] < log.times[b] || (log.times[a] === log.times[b] && a < b);
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

/**
 * Sorts `ord[0, n)` (indexes into `key` and `row`) by `key`, then `row`:
 * a merge sort over typed arrays with the comparison written out, as a
 * comparator callback per comparison costs more than the sort's own work.
 */
function sortByTime(
  ord: Uint32Array,
  spare: Uint32Array,
  key: Float64Array,
  row: Uint32Array,
  n: number,
): void {
  // Runs of 16 by insertion, then merged pairwise.
  const RUN = 16;
  for (let a = 0; a < n; a += RUN) {
    const b = Math.min(n, a + RUN);
    for (let x = a + 1; x < b; x++) {
      const v = ord[x];
      const kv = key[v];
      let y = x;
      for (; y > a; y--) {
        const w = ord[y - 1];
        if (key[w] < kv || (key[w] === kv && row[w] < row[v])) break;
        ord[y] = w;
      }
      ord[y] = v;
    }
  }
  let src = ord;
  let dst = spare;
  for (let width = RUN; width < n; width *= 2) {
    for (let a = 0; a < n; a += 2 * width) {
      const m = Math.min(n, a + width);
      const b = Math.min(n, a + 2 * width);
      let i = a;
      let j = m;
      let o = a;
      while (i < m && j < b) {
        const p = src[i];
        const q = src[j];
        if (key[q] < key[p] || (key[q] === key[p] && row[q] < row[p])) {
          dst[o++] = q;
          j++;
        } else {
          dst[o++] = p;
          i++;
        }
      }
      while (i < m) dst[o++] = src[i++];
      while (j < b) dst[o++] = src[j++];
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== ord) ord.set(src.subarray(0, n));
}
