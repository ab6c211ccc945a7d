/**
 * The sparse user x item matrix every build starts from: one value per
 * distinct (user, item) pair, in CSR form both ways (user -> items and
 * item -> users), built once in O(rows) with counting sorts and typed arrays.
 * The grouping of rows by user, the costly part, can be done once and shared
 * by several builds ({@link groupRowsByUser}); with `shared`, the arrays live
 * in `SharedArrayBuffer`s so worker threads read them without a copy.
 */
import { LikewiseError } from '../errors';
import type { EventType } from '../types';
import { compareIds } from './compareIds';
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

/**
 * The cap on items per user of the SDK's default model (`likewise train`'s
 * `--max-items-per-user`): far above what a person browses, low enough that
 * a crawler with 40 000 items (whose cost grows with the square of its
 * history) cannot dominate the build.
 */
export const DEFAULT_MAX_ITEMS_PER_USER = 1000;

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
  /**
   * Allocate the matrix in `SharedArrayBuffer`s, so worker threads can read
   * it without a copy (Node, or cross-origin isolated pages). Default false.
   */
  shared?: boolean;
}

/**
 * Pair values: bytes when every value is an integer from 1 to 255 (the
 * default type weights or binary, without decay: an eighth of the memory,
 * the same numbers), float32 when every value is exactly a float32, float64
 * otherwise (decayed values).
 */
export type MatrixValues = Float32Array | Float64Array | Uint8Array;

/** A user x item matrix in CSR form both ways. */
export interface UserItemMatrix {
  userCount: number;
  itemCount: number;
  /** User u's pairs are `[userOffsets[u], userOffsets[u+1])` of the next two arrays. */
  userOffsets: Uint32Array;
  userItems: Uint32Array;
  userValues: MatrixValues;
  /** Item i's pairs are `[itemOffsets[i], itemOffsets[i+1])` of the next two arrays. */
  itemOffsets: Uint32Array;
  itemUsers: Uint32Array;
  itemValues: MatrixValues;
}

/**
 * The counted rows of a log grouped by user (a counting sort: file order
 * kept inside a user). Builds whose counted event types are the same can
 * share one grouping instead of redoing the costliest pass over the log.
 */
export interface UserRows {
  /** 1 for each type code that was counted. */
  counted: Uint8Array;
  /**
   * User u's rows are `byUser[rowStart[u] .. rowStart[u+1])` (row numbers of
   * the log); empty in a gathered grouping ({@link planUserRows}).
   */
  rowStart: Uint32Array;
  byUser: Uint32Array;
  /**
   * Gathered ({@link planUserRows}): the item, type and time of each grouped row, user u's at
   * `[rowStart[u], rowStart[u+1])` in file order. The per-user passes then
   * read them in order instead of at random through row numbers, and the
   * log's columns are not needed (only `options.now` for a decay).
   */
  items?: Uint32Array;
  types?: Uint8Array;
  /**
   * The gathered times: milliseconds, or (when every time of the log is a
   * whole second within 2^32 s of the first) seconds after `timeBase`, half
   * the memory. Either way the time of row p is `timeBase + times[p] * timeScale`,
   * exactly the log's number.
   */
  times?: Float64Array | Uint32Array;
  timeBase?: number;
  timeScale?: number;
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

/** A typed-array allocator: plain or shared memory. */
type Alloc = (bytes: number) => ArrayBuffer;
const plain: Alloc = (bytes) => new ArrayBuffer(bytes);
const sharedMemory: Alloc = (bytes) => new SharedArrayBuffer(bytes) as unknown as ArrayBuffer;

/** 1 for each type code with a weight > 0. */
function countedTypes(weightOf: Float64Array): Uint8Array {
  const counted = new Uint8Array(weightOf.length);
  for (let c = 0; c < weightOf.length; c++) counted[c] = weightOf[c] > 0 ? 1 : 0;
  return counted;
}

/**
 * Groups the rows of `log` whose type code is counted (`counted[code]` is 1)
 * by user, file order kept inside a user.
 *
 * @param shared - Allocate in `SharedArrayBuffer`s. Default false.
 * @example const rows = groupRowsByUser(log, countedTypesOf({}));
 */
export function groupRowsByUser(
  log: InteractionLog,
  counted: Uint8Array,
  shared = false,
): UserRows {
  const alloc = shared ? sharedMemory : plain;
  const { users, types, length: n, userCount } = log;
  const rowStart = countRows(log, counted, alloc);
  const total = rowStart[userCount];
  // Reuse rowStart as the fill pointer (shifted by one), then shift it back.
  const byUser = new Uint32Array(alloc(4 * total));
  for (let r = 0; r < n; r++) {
    if (counted[types[r]] === 0) continue;
    byUser[rowStart[users[r]]++] = r;
  }
  shiftBack(rowStart, userCount);
  return { counted: Uint8Array.from(counted), rowStart, byUser };
}

/** Each user's first row in a grouping: `rowStart[u]`, and `rowStart[userCount]` rows in all. */
function countRows(log: InteractionLog, counted: Uint8Array, alloc: Alloc): Uint32Array {
  const { users, types, length: n, userCount } = log;
  const rowStart = new Uint32Array(alloc(4 * (userCount + 1)));
  for (let r = 0; r < n; r++) rowStart[users[r] + 1] += counted[types[r]];
  for (let u = 0; u < userCount; u++) rowStart[u + 1] += rowStart[u];
  return rowStart;
}

/** Seconds in a millisecond time, when the gathered times are stored as seconds. */
const SECOND_MS = 1000;

/**
 * Is `t % SECOND_MS === 0`? Without the remainder (a call into C per time,
 * most of a pass over ten million of them) where the quotient is exact:
 * below 2^53 a multiple of a second divides into an integer that multiplies
 * back to it, and nothing else does.
 */
function isWholeSecond(t: number): boolean {
  if (!(Math.abs(t) <= 2 ** 53)) return t % SECOND_MS === 0;
  const q = t / SECOND_MS;
  return Math.floor(q) === q && q * SECOND_MS === t;
}

/** How a grouping stores times (see {@link UserRows.times}), and the latest time of the log. */
export interface TimeLayout {
  /** Times are whole seconds within 2^32 s of `base`: stored as Uint32 seconds after it. */
  seconds: boolean;
  base: number;
  latest: number;
}

/**
 * Reads the log's times once: whether a grouping can store them as Uint32
 * seconds, and the latest (a decay's reference).
 *
 * @example const { latest } = timeLayout(log);
 */
export function timeLayout(log: InteractionLog): TimeLayout {
  const { times, length: n } = log;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let whole = times.length >= n;
  for (let r = 0; r < n && r < times.length; r++) {
    const t = times[r];
    if (!isWholeSecond(t)) whole = false;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  }
  const seconds = whole && n > 0 && (hi - lo) / SECOND_MS < 2 ** 32;
  return { seconds, base: seconds ? lo : 0, latest: hi };
}

/**
 * A gathered grouping counted and allocated but not filled: {@link gatherUserRows}
 * fills it, for all users or a range of them, so threads can fill disjoint
 * ranges of one grouping at once (each writes only its users' slots).
 *
 * @param shared - Allocate in `SharedArrayBuffer`s. Default false.
 * @param times - The log's {@link timeLayout}, when the caller has it.
 * @example const rows = planUserRows(log, countedTypesOf({})); gatherUserRows(log, rows);
 */
export function planUserRows(
  log: InteractionLog,
  counted: Uint8Array,
  shared = false,
  times: TimeLayout = timeLayout(log),
): UserRows {
  const alloc = shared ? sharedMemory : plain;
  const rowStart = countRows(log, counted, alloc);
  const total = rowStart[log.userCount];
  const { seconds, base } = times;
  return {
    counted: Uint8Array.from(counted),
    rowStart,
    byUser: new Uint32Array(0),
    items: new Uint32Array(alloc(4 * total)),
    types: new Uint8Array(alloc(total)),
    times: seconds ? new Uint32Array(alloc(4 * total)) : new Float64Array(alloc(8 * total)),
    timeBase: base,
    timeScale: seconds ? SECOND_MS : 1,
  };
}

/**
 * Fills the gathered rows of users `[from, to)` of a grouping from
 * {@link planUserRows} (all users by default), file order kept inside a user.
 *
 * @example gatherUserRows(log, rows, [0, log.userCount >> 1]);
 */
export function gatherUserRows(
  log: InteractionLog,
  rows: UserRows,
  [from, to]: readonly [number, number] = [0, log.userCount],
): void {
  const { rowStart, counted } = rows;
  const gItems = rows.items;
  const gTypes = rows.types;
  const gTimes = rows.times;
  if (!gItems || !gTypes || !gTimes) throw new Error('gatherUserRows needs a planned grouping');
  const base = rows.timeBase ?? 0;
  const scale = rows.timeScale ?? 1;
  const { users, items, types, times, length: n } = log;
  // This range's own fill pointers: the slots of other users belong to other threads.
  const next = rowStart.slice(from, to);
  for (let r = 0; r < n; r++) {
    const u = users[r];
    const t = types[r];
    if (u < from || u >= to || counted[t] === 0) continue;
    const at = next[u - from]++;
    gItems[at] = items[r];
    gTypes[at] = t;
    gTimes[at] = (times[r] - base) / scale;
  }
}

/**
 * Cuts users `[0, userCount)` into `parts` ranges of about equal row counts
 * (what gathering and collapsing them costs): the boundaries, from 0 to userCount.
 *
 * @example const [a, b, c] = splitUsers(rows.rowStart, 2); // ranges [a, b) and [b, c)
 */
export function splitUsers(rowStart: Uint32Array, parts: number): number[] {
  const userCount = rowStart.length - 1;
  const total = rowStart[userCount];
  const cuts = [0];
  let u = 0;
  for (let k = 1; k < parts; k++) {
    const target = (total * k) / parts;
    while (u < userCount && rowStart[u] < target) u++;
    if (u > cuts[cuts.length - 1]) cuts.push(u);
  }
  if (userCount > cuts[cuts.length - 1] || cuts.length === 1) cuts.push(userCount);
  return cuts;
}

/** Turns fill pointers (each user's end) back into starts. */
function shiftBack(rowStart: Uint32Array, userCount: number): void {
  for (let u = userCount; u > 0; u--) rowStart[u] = rowStart[u - 1];
  rowStart[0] = 0;
}

/**
 * The types a build with these options counts (those with a weight > 0), for
 * {@link groupRowsByUser}.
 */
export function countedTypesOf(options: UserItemMatrixOptions): Uint8Array {
  return countedTypes(typeWeights(options));
}

function sameCounted(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let c = 0; c < a.length; c++) if (a[c] !== b[c]) return false;
  return true;
}

/** What every per-user pass needs: weights, decay, and the grouped rows. */
interface PassSetup {
  weightOf: Float64Array;
  decayRate: number;
  now: number;
  rows: UserRows;
}

function setup(log: InteractionLog, options: UserItemMatrixOptions, rows?: UserRows): PassSetup {
  positiveOption('halfLifeDays', options.halfLifeDays, false);
  positiveOption('maxItemsPerUser', options.maxItemsPerUser, true);
  const weightOf = typeWeights(options);
  const counted = countedTypes(weightOf);
  const decayRate = options.halfLifeDays ? Math.LN2 / (options.halfLifeDays * DAY_MS) : 0;
  let now = options.now ?? Number.NEGATIVE_INFINITY;
  if (decayRate > 0 && options.now === undefined) {
    const { times, length: n } = log;
    if (times.length < n)
      throw new LikewiseError(
        'INVALID_INPUT',
        'halfLifeDays needs options.now when the log has no time column',
      );
    for (let r = 0; r < n; r++) if (times[r] > now) now = times[r];
  }
  const grouped =
    rows && sameCounted(rows.counted, counted) ? rows : groupRowsByUser(log, counted, false);
  return { weightOf, decayRate, now, rows: grouped };
}

/** Is every counted weight an integer from 1 to 255 and there is no decay? */
function byteExact(weightOf: Float64Array, decayRate: number): boolean {
  if (decayRate > 0) return false;
  for (let c = 0; c < weightOf.length; c++) {
    const w = weightOf[c];
    if (w !== 0 && !(Number.isInteger(w) && w >= 1 && w <= 255)) return false;
  }
  return true;
}

/** Is every counted weight exactly a float32 and there is no decay? */
function float32Exact(weightOf: Float64Array, decayRate: number): boolean {
  if (decayRate > 0) return false;
  for (let c = 0; c < weightOf.length; c++)
    if (Math.fround(weightOf[c]) !== weightOf[c]) return false;
  return true;
}

/**
 * Collapses the log into one value per (user, item): the strongest signal,
 * `max(weight(type) * decay(age))` over the pair's events (1 when `binary`),
 * so a visitor who viewed an item fifty times counts no more than one who
 * bought it. Events of types that do not count are skipped.
 *
 * @param rows - The log's rows already grouped by user for the same counted
 *   types (see {@link groupRowsByUser}); regrouped when missing or for other types.
 * @example const m = buildUserItemMatrix(log, { maxItemsPerUser: 1000 });
 */
export function buildUserItemMatrix(
  log: InteractionLog,
  options: UserItemMatrixOptions = {},
  rows?: UserRows,
): UserItemMatrix {
  const pass = setup(log, options, rows);
  const draft = draftMatrix(log, options, pass);
  collapseRange(log, options, pass, draft, 0, log.userCount);
  return finishUserItemMatrix(draft, pass.rows, [0, log.userCount]);
}

/**
 * The user side of a {@link UserItemMatrix} being filled by ranges of users
 * ({@link collapseUsers}), possibly by several threads: each user's pairs go
 * to the slots of its grouped rows (never fewer), so ranges never overlap.
 */
export interface MatrixDraft {
  userCount: number;
  itemCount: number;
  /** `userOffsets[u + 1]`: the end of user u's pairs (within its rows' slots until finished). */
  userOffsets: Uint32Array;
  pairItems: Uint32Array;
  pairValues: MatrixValues;
  /** In shared memory (and so the item side, when finished). */
  shared: boolean;
}

/**
 * Allocates the user side of the matrix {@link buildUserItemMatrix} would
 * build from this grouping (in shared memory with `options.shared`), for
 * {@link collapseUsers} to fill by user ranges and {@link finishUserItemMatrix}
 * to complete.
 *
 * @example const draft = draftUserItemMatrix(log, options, rows);
 */
export function draftUserItemMatrix(
  log: InteractionLog,
  options: UserItemMatrixOptions,
  rows: UserRows,
): MatrixDraft {
  return draftMatrix(log, options, setup(log, options, rows));
}

/**
 * Collapses the users `[from, to)` of `rows` into `draft` (see
 * {@link buildUserItemMatrix}). Threads may collapse disjoint ranges of one
 * draft at once.
 *
 * @example collapseUsers(log, options, rows, draft, [0, log.userCount]);
 */
export function collapseUsers(
  log: InteractionLog,
  options: UserItemMatrixOptions,
  rows: UserRows,
  draft: MatrixDraft,
  [from, to]: readonly [number, number],
): void {
  const pass = setup(log, options, rows);
  if (pass.rows !== rows) throw new Error('collapseUsers needs a grouping of the counted types');
  collapseRange(log, options, pass, draft, from, to);
}

function draftMatrix(
  log: InteractionLog,
  options: UserItemMatrixOptions,
  { weightOf, decayRate, rows }: PassSetup,
): MatrixDraft {
  const shared = options.shared ?? false;
  const alloc = shared ? sharedMemory : plain;
  const userCount = log.userCount;
  const total = rows.rowStart[userCount];
  // Sized for the counted rows (an upper bound on the pairs) and trimmed
  // with views at the end: no second copy of the largest arrays.
  return {
    userCount,
    itemCount: log.itemIds.length,
    userOffsets: new Uint32Array(alloc(4 * (userCount + 1))),
    pairItems: new Uint32Array(alloc(4 * total)),
    pairValues: valuesFor(weightOf, decayRate, alloc, total),
    shared,
  };
}

/** Values of the kind the weights and decay call for (see {@link MatrixValues}). */
function valuesFor(
  weightOf: Float64Array,
  decayRate: number,
  alloc: Alloc,
  n: number,
): MatrixValues {
  if (byteExact(weightOf, decayRate)) return new Uint8Array(alloc(n));
  if (float32Exact(weightOf, decayRate)) return new Float32Array(alloc(4 * n));
  return new Float64Array(alloc(8 * n));
}

function collapseRange(
  log: InteractionLog,
  options: UserItemMatrixOptions,
  { weightOf, decayRate, now, rows: grouped }: PassSetup,
  draft: MatrixDraft,
  from: number,
  to: number,
): void {
  const { rowStart, byUser } = grouped;
  // Gathered rows are read in place (row p of the grouping), else through
  // the row numbers. Either way rows of a user come in file order.
  const gathered = grouped.items !== undefined;
  const items = grouped.items ?? log.items;
  const types = grouped.types ?? log.types;
  const times = grouped.times ?? log.times;
  const timeBase = grouped.timeBase ?? 0;
  const timeScale = grouped.timeScale ?? 1;
  const { userOffsets, pairItems, pairValues } = draft;

  // One pass per user: a slot per item (reset through the user's own pairs).
  // Only users with more rows than the cap can need it, so only they track
  // each pair's latest time.
  const cap = options.maxItemsPerUser ?? Number.POSITIVE_INFINITY;
  const slot = new Int32Array(draft.itemCount).fill(-1);
  let capTimes = new Float64Array(0);
  let out = rowStart[from];
  for (let u = from; u < to; u++) {
    const start = out;
    const p0 = rowStart[u];
    const p1 = rowStart[u + 1];
    const capped = p1 - p0 > cap;
    if (capped && capTimes.length < p1 - p0) capTimes = new Float64Array(p1 - p0);
    for (let p = p0; p < p1; p++) {
      const r = gathered ? p : byUser[p];
      const it = items[r];
      const time = timeBase + times[r] * timeScale;
      let v = weightOf[types[r]];
      if (decayRate > 0) v *= Math.exp(-decayRate * Math.max(0, now - time));
      const s = slot[it];
      if (s < 0) {
        slot[it] = out;
        pairItems[out] = it;
        pairValues[out] = v;
        if (capped) capTimes[out - start] = time;
        out++;
      } else {
        if (v > pairValues[s]) pairValues[s] = v;
        if (capped && time > capTimes[s - start]) capTimes[s - start] = time;
      }
    }
    for (let s = start; s < out; s++) slot[pairItems[s]] = -1;
    if (out - start > cap)
      out = start + keepMostRecent(start, out, cap, pairItems, pairValues, capTimes, log.itemIds);
    userOffsets[u + 1] = out;
  }
}

/**
 * The matrix of a draft whose users were all collapsed, in the ranges
 * `cuts` (`[cuts[k], cuts[k + 1])`, from 0 to the user count): the ranges
 * are packed together and the item side built. The same matrix as
 * {@link buildUserItemMatrix}, whatever the ranges.
 *
 * @example const m = finishUserItemMatrix(draft, rows, splitUsers(rows.rowStart, 2));
 */
export function finishUserItemMatrix(
  draft: MatrixDraft,
  rows: UserRows,
  cuts: readonly number[],
): UserItemMatrix {
  const { userCount, itemCount, userOffsets, pairItems, pairValues } = draft;
  const alloc = draft.shared ? sharedMemory : plain;
  // Each range after the first moves down to follow the one before it.
  let out = cuts.length > 1 ? userOffsets[cuts[1]] : 0;
  for (let k = 1; k + 1 < cuts.length; k++) {
    const from = cuts[k];
    const to = cuts[k + 1];
    const start = rows.rowStart[from];
    const end = userOffsets[to];
    const gap = start - out;
    if (gap > 0) {
      pairItems.copyWithin(out, start, end);
      pairValues.copyWithin(out, start, end);
      for (let u = from; u < to; u++) userOffsets[u + 1] -= gap;
    }
    out += end - start;
  }
  const userItems = pairItems.subarray(0, out);
  const userValues = pairValues.subarray(0, out);

  // Transpose: item -> users, users ascending inside an item.
  const itemOffsets = new Uint32Array(alloc(4 * (itemCount + 1)));
  for (let s = 0; s < out; s++) itemOffsets[userItems[s] + 1]++;
  for (let i = 0; i < itemCount; i++) itemOffsets[i + 1] += itemOffsets[i];
  const itemUsers = new Uint32Array(alloc(4 * out));
  // The same kind of values as the user side (see valuesFor).
  const Values = userValues.constructor as new (buffer: ArrayBufferLike) => MatrixValues;
  const itemValues = new Values(alloc(userValues.BYTES_PER_ELEMENT * out));
  const next = itemOffsets.slice(0, itemCount);
  for (let u = 0; u < userCount; u++) {
    const s1 = userOffsets[u + 1];
    for (let s = userOffsets[u]; s < s1; s++) {
      const q = next[userItems[s]]++;
      itemUsers[q] = u;
      itemValues[q] = userValues[s];
    }
  }
  return {
    userCount,
    itemCount,
    userOffsets,
    userItems,
    userValues,
    itemOffsets,
    itemUsers,
    itemValues,
  };
}

/**
 * The column sums of the matrix {@link buildUserItemMatrix} would build with
 * the same options, without building it: per item, the sum over users of
 * their (user, item) value, added in ascending user order (so the sums are
 * the same numbers, bit for bit). No per-user cap.
 *
 * @param rows - As for {@link buildUserItemMatrix}.
 * @example const usersPerItem = itemTotals(log, { binary: true });
 */
export function itemTotals(
  log: InteractionLog,
  options: Omit<UserItemMatrixOptions, 'maxItemsPerUser' | 'shared'> = {},
  rows?: UserRows,
): Float64Array {
  const { weightOf, decayRate, now, rows: grouped } = setup(log, options, rows);
  const itemCount = log.itemIds.length;
  const { rowStart, byUser } = grouped;
  const gathered = grouped.items !== undefined;
  const items = grouped.items ?? log.items;
  const types = grouped.types ?? log.types;
  const times = grouped.times ?? log.times;
  const timeBase = grouped.timeBase ?? 0;
  const timeScale = grouped.timeScale ?? 1;
  const totals = new Float64Array(itemCount);
  const slot = new Int32Array(itemCount).fill(-1);
  let pairItems = new Uint32Array(1024);
  let pairValues = new Float64Array(1024);
  for (let u = 0; u < log.userCount; u++) {
    const p0 = rowStart[u];
    const p1 = rowStart[u + 1];
    if (p1 - p0 > pairItems.length) {
      pairItems = new Uint32Array(p1 - p0);
      pairValues = new Float64Array(p1 - p0);
    }
    let np = 0;
    for (let p = p0; p < p1; p++) {
      const r = gathered ? p : byUser[p];
      const it = items[r];
      let v = weightOf[types[r]];
      if (decayRate > 0)
        v *= Math.exp(-decayRate * Math.max(0, now - (timeBase + times[r] * timeScale)));
      const s = slot[it];
      if (s < 0) {
        slot[it] = np;
        pairItems[np] = it;
        pairValues[np++] = v;
      } else if (v > pairValues[s]) pairValues[s] = v;
    }
    for (let s = 0; s < np; s++) {
      const it = pairItems[s];
      slot[it] = -1;
      totals[it] += pairValues[s];
    }
  }
  return totals;
}

/**
 * Keeps the `cap` most recent pairs of one user (latest time first; on equal
 * times the item id first in {@link compareIds} order), compacted in place in
 * their original order. The tie-break reads no line order, so a table with
 * none (`train --clickhouse`) keeps the same items. `times` is indexed from
 * `start`. Returns how many were kept.
 */
function keepMostRecent(
  start: number,
  end: number,
  cap: number,
  items: Uint32Array,
  values: MatrixValues,
  times: Float64Array,
  ids: readonly string[],
): number {
  const idx: number[] = [];
  for (let s = 0; s < end - start; s++) idx.push(s);
  idx.sort(
    (a, b) => times[b] - times[a] || compareIds(ids[items[start + a]], ids[items[start + b]]),
  );
  const keep = idx.slice(0, cap).sort((a, b) => a - b);
  for (let k = 0; k < keep.length; k++) {
    const s = start + keep[k];
    const d = start + k;
    items[d] = items[s];
    values[d] = values[s];
  }
  return keep.length;
}

/**
 * The co-occurring pairs of a matrix: the sum over users of their item count
 * squared, what a neighbour build's inner loop visits (each of a user's
 * items meets each of them once), so the build's cost per pair is comparable
 * across logs.
 *
 * @example coOccurringPairs(buildUserItemMatrix(log, { maxItemsPerUser: 1000 }))
 */
export function coOccurringPairs(m: Pick<UserItemMatrix, 'userCount' | 'userOffsets'>): number {
  const { userCount, userOffsets } = m;
  let pairs = 0;
  for (let u = 0; u < userCount; u++) {
    const n = userOffsets[u + 1] - userOffsets[u];
    pairs += n * n;
  }
  return pairs;
}
