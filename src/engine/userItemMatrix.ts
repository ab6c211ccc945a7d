/**
 * The sparse user x item matrix every build starts from: one value per
 * distinct (user, item) pair, in CSR form both ways (user -> items and
 * item -> users), built once in O(rows) with counting sorts and typed arrays.
 */
import { LikewiseError } from '../errors';
import type { EventType } from '../types';
import { EVENT_TYPE_CODES, type InteractionLog } from './types';

/** How much one event of each type says about interest. */
export const DEFAULT_WEIGHTS: Readonly<Record<EventType, number>> = Object.freeze({
  view: 1,
  click: 2,
  add_to_cart: 4,
  remove_from_cart: 0,
  purchase: 8,
  search: 0,
  impression: 0,
  dismiss: 0,
});

const DAY_MS = 86_400_000;

/** Options of {@link buildUserItemMatrix}. */
export interface UserItemMatrixOptions {
  /** Weight per event type; missing types take {@link DEFAULT_WEIGHTS}. */
  weights?: Partial<Record<EventType, number>>;
  /** Every counted event is worth 1 (the reference configuration). Default false. */
  binary?: boolean;
  /** Only events of these types count. Default: every type whose weight is > 0. */
  types?: readonly EventType[];
  /** Halve the value of an event every this many days before `now`. Default: no decay. */
  halfLifeDays?: number;
  /** Reference time (ms) for the decay. Default: the latest event of the log. */
  now?: number;
  /** Keep at most this many (most recent) items per user. Default: no cap. */
  maxItemsPerUser?: number;
}

/** A user x item matrix in CSR form both ways. */
export interface UserItemMatrix {
  userCount: number;
  itemCount: number;
  /** User u's pairs are `[userOffsets[u], userOffsets[u+1])` of the next three arrays. */
  userOffsets: Uint32Array;
  userItems: Uint32Array;
  userValues: Float64Array;
  /** Latest event time of each pair (ms). */
  userTimes: Float64Array;
  /** Item i's pairs are `[itemOffsets[i], itemOffsets[i+1])` of the next two arrays. */
  itemOffsets: Uint32Array;
  itemUsers: Uint32Array;
  itemValues: Float64Array;
}

function positiveOption(name: string, value: number | undefined, integer: boolean): void {
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  )
    throw new LikewiseError(
      'INVALID_OPTION',
      `${name} must be a positive ${integer ? 'integer' : 'finite number'}, got ${String(value)}`,
    );
}

/** Per type code, the weight to use (0 = the type does not count). */
export function typeWeights(options: UserItemMatrixOptions): Float64Array {
  const w = new Float64Array(EVENT_TYPE_CODES.length);
  for (let c = 0; c < EVENT_TYPE_CODES.length; c++) {
    const type = EVENT_TYPE_CODES[c];
    const given = options.weights?.[type];
    if (given !== undefined && (!Number.isFinite(given) || given < 0))
      throw new LikewiseError(
        'INVALID_OPTION',
        `weights.${type} must be a finite number >= 0, got ${String(given)}`,
      );
    const weight = given ?? DEFAULT_WEIGHTS[type];
    const listed = options.types ? options.types.includes(type) : weight > 0;
    w[c] = listed ? (options.binary ? 1 : weight) : 0;
  }
  return w;
}

/**
 * Collapses the log into one value per (user, item): the strongest signal,
 * `max(weight(type) * decay(age))` over the pair's events (1 when `binary`),
 * so a visitor who viewed an item fifty times counts no more than one who
 * bought it. Events of types that do not count are skipped.
 */
export function buildUserItemMatrix(
  log: InteractionLog,
  options: UserItemMatrixOptions = {},
): UserItemMatrix {
  positiveOption('halfLifeDays', options.halfLifeDays, false);
  positiveOption('maxItemsPerUser', options.maxItemsPerUser, true);
  const weightOf = typeWeights(options);
  const n = log.length;
  const userCount = log.userCount;
  const itemCount = log.itemIds.length;
  const { users, items, types, times } = log;
  let now = options.now;
  if (now === undefined) {
    now = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < n; r++) if (times[r] > now) now = times[r];
  }
  const decayRate = options.halfLifeDays ? Math.LN2 / (options.halfLifeDays * DAY_MS) : 0;

  // Counting sort of the counted rows by user, file order kept inside a user.
  const rowStart = new Uint32Array(userCount + 1);
  for (let r = 0; r < n; r++) {
    if (weightOf[types[r]] > 0) rowStart[users[r] + 1]++;
  }
  for (let u = 0; u < userCount; u++) rowStart[u + 1] += rowStart[u];
  const byUser = new Uint32Array(rowStart[userCount]);
  const fill = rowStart.slice(0, userCount);
  for (let r = 0; r < n; r++) {
    if (weightOf[types[r]] > 0) byUser[fill[users[r]]++] = r;
  }

  // One pass per user: a slot per item (reset through the user's own rows).
  const slot = new Int32Array(itemCount).fill(-1);
  const userOffsets = new Uint32Array(userCount + 1);
  let pairItems = new Uint32Array(byUser.length);
  let pairValues = new Float64Array(byUser.length);
  let pairTimes = new Float64Array(byUser.length);
  const pairRows = new Uint32Array(byUser.length);
  const cap = options.maxItemsPerUser ?? Number.POSITIVE_INFINITY;
  let out = 0;
  for (let u = 0; u < userCount; u++) {
    const start = out;
    for (let p = rowStart[u]; p < rowStart[u + 1]; p++) {
      const r = byUser[p];
      const it = items[r];
      const t = times[r];
      let v = weightOf[types[r]];
      if (decayRate > 0) v *= Math.exp(-decayRate * Math.max(0, now - t));
      let s = slot[it];
      if (s < 0) {
        s = out++;
        slot[it] = s;
        pairItems[s] = it;
        pairValues[s] = v;
        pairTimes[s] = t;
        pairRows[s] = r;
      } else {
        if (v > pairValues[s]) pairValues[s] = v;
        if (t >= pairTimes[s]) {
          pairTimes[s] = t;
          pairRows[s] = r;
        }
      }
    }
    for (let s = start; s < out; s++) slot[pairItems[s]] = -1;
    if (out - start > cap)
      out = start + keepMostRecent(start, out, cap, pairItems, pairValues, pairTimes, pairRows);
    userOffsets[u + 1] = out;
  }
  pairItems = pairItems.slice(0, out);
  pairValues = pairValues.slice(0, out);
  pairTimes = pairTimes.slice(0, out);

  // Transpose: item -> users, users ascending inside an item.
  const itemOffsets = new Uint32Array(itemCount + 1);
  for (let s = 0; s < out; s++) itemOffsets[pairItems[s] + 1]++;
  for (let i = 0; i < itemCount; i++) itemOffsets[i + 1] += itemOffsets[i];
  const itemUsers = new Uint32Array(out);
  const itemValues = new Float64Array(out);
  const next = itemOffsets.slice(0, itemCount);
  for (let u = 0; u < userCount; u++) {
    for (let s = userOffsets[u]; s < userOffsets[u + 1]; s++) {
      const q = next[pairItems[s]]++;
      itemUsers[q] = u;
      itemValues[q] = pairValues[s];
    }
  }
  return {
    userCount,
    itemCount,
    userOffsets,
    userItems: pairItems,
    userValues: pairValues,
    userTimes: pairTimes,
    itemOffsets,
    itemUsers,
    itemValues,
  };
}

/**
 * Keeps the `cap` most recent pairs of one user (latest time first, later
 * row first on ties: deterministic, no randomness), compacted in place in
 * their original order. Returns how many were kept.
 */
function keepMostRecent(
  start: number,
  end: number,
  cap: number,
  items: Uint32Array,
  values: Float64Array,
  times: Float64Array,
  rows: Uint32Array,
): number {
  const idx: number[] = [];
  for (let s = start; s < end; s++) idx.push(s);
  idx.sort((a, b) => times[b] - times[a] || rows[b] - rows[a]);
  const keep = idx.slice(0, cap).sort((a, b) => a - b);
  for (let k = 0; k < keep.length; k++) {
    const s = keep[k];
    const d = start + k;
    items[d] = items[s];
    values[d] = values[s];
    times[d] = times[s];
    rows[d] = rows[s];
  }
  return keep.length;
}
