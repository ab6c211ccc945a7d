/**
 * Item-item similarity with top-K neighbours, built row by row (Gustavson):
 * for each item i, for each user u of i, for each item j of u, accumulate
 * into a dense accumulator reused across rows. Memory grows with the kept
 * pairs, never with items squared; nothing is allocated per pair.
 */
import { LikewiseError } from '../errors';
import { idRanks } from './compareIds';
import { insertionSort, selectBest } from './topK';
import type { InteractionLog, Neighbours } from './types';
import {
  buildUserItemMatrix,
  type MatrixValues,
  type UserItemMatrix,
  type UserItemMatrixOptions,
  type UserRows,
} from './userItemMatrix';
import { type UserSequences, userSequences, windowedPairs } from './userSequences';

/** The item-item similarity measures. */
export type Similarity = 'cosine' | 'jaccard' | 'conditional' | 'sequence';

/** Every {@link Similarity}, in the order messages list them. */
export const SIMILARITIES: readonly Similarity[] = ['cosine', 'jaccard', 'conditional', 'sequence'];

/** Options of {@link buildNeighbours}. */
export interface BuildOptions extends UserItemMatrixOptions {
  /**
   * `cosine` (default): c_ij / (|i|^(2·alpha) · |j|^(2·(1-alpha))) with |x| the
   * norm of the item's user vector (c = dot product; on binary data |x|² is the
   * number of users and this is c_ij / sqrt(n_i · n_j) at alpha 0.5).
   * `jaccard`: c_ij / (|i|² + |j|² - c_ij). `conditional`: c_ij / (|i|² · |j|^(2·alpha)),
   * P(j | i) damped for popular j (Deshpande & Karypis).
   * `sequence`: order-aware co-occurrence. In each user's sequence of items
   * (oldest first, see `userSequences`), an item j met `d` <= `window` steps
   * after i adds `value_i · value_j / d` to c_ij, and one met `d` steps before
   * i adds `backward` times that; then normalised as cosine (by the items'
   * norms, with `alpha`). So "viewed next" counts most, and far apart little.
   */
  similarity?: Similarity;
  /** `sequence`: how many steps apart two items still count. Default 10. */
  window?: number;
  /** `sequence`: weight of an item met before i against one met after. In [0, 1]; default 0.5. */
  backward?: number;
  /** Asymmetry: default 0.5 for cosine (symmetric), 0 for conditional. In [0, 1]. */
  alpha?: number;
  /** Multiply each similarity by n / (n + shrinkage), n = users who have both items. Default 0. */
  shrinkage?: number;
  /** Neighbours kept per item. Default 50. */
  k?: number;
  /**
   * Compute only the lists of items in [start, end): other items get empty
   * lists, so builds of disjoint ranges merge with {@link mergeNeighbours}.
   */
  rows?: [number, number];
}

/**
 * Histogram buckets of the candidate scores: the float32 bits above this one
 * (exponent and 7 mantissa bits: buckets under 1 % wide, so few candidates
 * share the bucket of the K-th best). A row touches only the buckets its
 * scores span.
 */
const BUCKET_SHIFT = 16;

/**
 * Candidate filtering: rows with more than FILTER_FACTOR · K candidates take
 * as threshold the SAMPLE_RANK-th best of a sample sized so that about
 * FILTER_MARGIN · K candidates reach it (fewer than K, so a second look at
 * all of them, which the margin makes rare).
 */
const FILTER_FACTOR = 8;
const SAMPLE_RANK = 8;
const FILTER_MARGIN = 3;

/** The neighbourhood size used when `k` is not given. */
export const DEFAULT_K = 50;

/** The sequence window used when `window` is not given. */
export const DEFAULT_WINDOW = 10;
/** The backward weight used when `backward` is not given. */
export const DEFAULT_BACKWARD = 0.5;

function checkOptions(options: BuildOptions, itemCount: number): void {
  const { similarity, alpha, shrinkage, k, rows, window, backward } = options;
  if (similarity !== undefined && !SIMILARITIES.includes(similarity))
    throw new LikewiseError(
      'INVALID_OPTION',
      `similarity must be 'cosine', 'jaccard', 'conditional' or 'sequence', got ${String(similarity)}`,
    );
  if (window !== undefined && !(Number.isInteger(window) && window >= 1 && window <= 1000))
    throw new LikewiseError(
      'INVALID_OPTION',
      `window must be an integer from 1 to 1000, got ${String(window)}`,
    );
  if (backward !== undefined && !(backward >= 0 && backward <= 1))
    throw new LikewiseError(
      'INVALID_OPTION',
      `backward must be in [0, 1], got ${String(backward)}`,
    );
  if (alpha !== undefined && !(alpha >= 0 && alpha <= 1))
    throw new LikewiseError('INVALID_OPTION', `alpha must be in [0, 1], got ${String(alpha)}`);
  if (shrinkage !== undefined && !(shrinkage >= 0 && Number.isFinite(shrinkage)))
    throw new LikewiseError(
      'INVALID_OPTION',
      `shrinkage must be a finite number >= 0, got ${String(shrinkage)}`,
    );
  if (k !== undefined && !(Number.isInteger(k) && k >= 1))
    throw new LikewiseError('INVALID_OPTION', `k must be a positive integer, got ${String(k)}`);
  if (rows !== undefined) {
    const [a, b] = rows;
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && a <= b && b <= itemCount))
      throw new LikewiseError(
        'INVALID_OPTION',
        `rows must be [start, end] with 0 <= start <= end <= ${itemCount}, got [${String(a)}, ${String(b)}]`,
      );
  }
}

/**
 * Everything the row loop of a neighbour build reads, prepared once from a
 * {@link UserItemMatrix}: items relabelled by popularity, per-item norms and
 * tie ranks, and the user side packed for the hot loop. Plain typed arrays
 * (shared when planned with `shared`), so worker threads can each build a
 * range of rows from one plan with {@link buildNeighbourRows}, without the
 * log, the item ids or a matrix of their own.
 */
export interface NeighbourPlan {
  itemCount: number;
  similarity: Similarity;
  shrinkage: number;
  k: number;
  /**
   * True when every value is a positive integer below 256 and no dot product
   * can pass 2^31: dot products are then summed in an Int32Array and
   * `userCodes` hold `label | value << 24`. Otherwise `userCodes` hold the
   * label and `userValues` the values.
   */
  packed: boolean;
  itemOffsets: Uint32Array;
  itemValues: MatrixValues;
  /**
   * Per entry of the item side (parallel to `itemValues`): where that
   * user's codes start in `userCodes`, and how many there are. The row loop
   * reads these in order instead of looking the user's offsets up at random
   * (a cache miss per user visited, most of the loop's time).
   */
  userStarts: Uint32Array;
  userLengths: Uint16Array | Uint32Array;
  userCodes: Uint32Array;
  userValues: MatrixValues | null;
  /** Label of each item (0 = the most users), and the item of each label. */
  label: Uint32Array;
  byLabel: Uint32Array;
  /** Squared norm of each item's user vector, by item and by label. */
  sq: Float64Array;
  sqL: Float64Array;
  /** Per-item factors of the denominator: by item (the row), by label (the column). */
  rowPow: Float64Array;
  colL: Float64Array;
  /** Tie rank ({@link idRanks}) by label. */
  rankL: Uint32Array;
  /** `sequence` only: what its row loop reads instead of the user side. */
  sequence?: SequencePlan;
}

/**
 * The sequence side of a plan: every user's sequence as labels in one array,
 * and for each item where it occurs, with the span of positions within the
 * window around each occurrence (inside its user's sequence).
 */
export interface SequencePlan {
  /**
   * Label at each position of the concatenated sequences, and its value.
   * Labels fit 16 bits when there are at most 65,536 items: a window's
   * labels then span half the cache lines (the row loop's reads of them
   * around each occurrence are its cache misses).
   */
  codes: Uint16Array | Uint32Array;
  values: Float32Array;
  /** Item i's occurrences are `at[occurs[i] .. occurs[i+1])`: positions in `codes`. */
  occurs: Uint32Array;
  at: Uint32Array;
  /** First and one-past-last position each occurrence pairs with. */
  lo: Uint32Array;
  hi: Uint32Array;
  /**
   * Weight of a pair d steps apart, by d: after i, and before i. When every
   * value is the same (`uniform`), its square is in them already.
   */
  forward: Float64Array;
  before: Float64Array;
  uniform: boolean;
  /**
   * Every pair adds more than 0 (no product of values and weights
   * underflows): an accumulator is then 0 exactly until its column is
   * first met, and no count is needed to tell.
   */
  positive: boolean;
  /** The most positions one occurrence pairs with: the window, both sides unless backward is 0. */
  reach: number;
  /**
   * 0, or the window when the sequences are laid out that far apart, the
   * sentinel label `itemCount` between them (and `values` 0 there, unless
   * `uniform`, when they are empty): every occurrence then pairs with the
   * window's positions either side, so the row loop has no bounds to load
   * or test (`lo` and `hi` are empty), and the sentinel's sum is ignored.
   */
  pad: number;
}

/**
 * Prepares a neighbour build over a matrix built with the same options (see
 * {@link NeighbourPlan}).
 *
 * @param shared - Allocate in `SharedArrayBuffer`s for worker threads. Default false.
 * @param rank - `idRanks(itemIds)`, when the caller already has it (it sorts every id).
 * @example const plan = planNeighbours(buildUserItemMatrix(log, options), log.itemIds, options);
 */
export function planNeighbours(
  m: UserItemMatrix,
  itemIds: readonly string[],
  options: BuildOptions = {},
  shared = false,
  rank: Uint32Array = idRanks(itemIds),
  sequences?: UserSequences,
): NeighbourPlan {
  const itemCount = itemIds.length;
  checkOptions(options, itemCount);
  if (options.similarity === 'sequence' && !sequences)
    throw new LikewiseError('INVALID_INPUT', "similarity 'sequence' needs the users' sequences");
  const alloc = allocator(shared);
  const f64 = (n: number) => new Float64Array(alloc(8 * n));
  const u32 = (n: number) => new Uint32Array(alloc(4 * n));
  const { itemOffsets, itemValues, userItems, userValues } = m;
  // Each pass is a function of its own, optimised on its own (see
  // buildNeighbourRows).
  const sq = squaredNorms(itemOffsets, itemValues, f64(itemCount));
  if (sequences) return planSequenceRows(sequences, itemOffsets, sq, rank, options, shared);
  const similarity = options.similarity ?? 'cosine';
  const shrinkage = options.shrinkage ?? 0;
  const items = planItems(itemOffsets, sq, rank, options, alloc);
  // One array for the hot loop: each pair's label with its value in the top
  // byte, when the values allow it (one load per pair instead of two).
  const packed = packable(m, itemCount, shrinkage);
  const { itemUsers, userOffsets } = m;
  let longest = 0;
  for (let u = 0; u < m.userCount; u++)
    longest = Math.max(longest, userOffsets[u + 1] - userOffsets[u]);
  const userStarts = u32(itemUsers.length);
  const userLengths =
    longest < 1 << 16 ? new Uint16Array(alloc(2 * itemUsers.length)) : u32(itemUsers.length);
  userSpans(itemUsers, userOffsets, userStarts, userLengths);
  const userCodes = codesOf(
    userItems,
    items.label,
    packed ? userValues : null,
    u32(userItems.length),
  );
  return {
    itemCount,
    similarity,
    shrinkage,
    k: options.k ?? DEFAULT_K,
    packed,
    itemOffsets,
    itemValues,
    userStarts,
    userLengths,
    userCodes,
    userValues: packed ? null : userValues,
    ...items,
  };
}

/** An allocator of plain or shared memory. */
function allocator(shared: boolean): (bytes: number) => ArrayBuffer {
  return (bytes) =>
    shared ? (new SharedArrayBuffer(bytes) as unknown as ArrayBuffer) : new ArrayBuffer(bytes);
}

/** The per-item part of a plan: labels, norms, denominator factors and ranks. */
type ItemPlan = Pick<
  NeighbourPlan,
  'label' | 'byLabel' | 'sq' | 'sqL' | 'rowPow' | 'colL' | 'rankL'
>;

function planItems(
  itemOffsets: Uint32Array,
  sq: Float64Array,
  rank: Uint32Array,
  options: BuildOptions,
  alloc: (bytes: number) => ArrayBuffer,
): ItemPlan {
  const itemCount = sq.length;
  const f64 = (n: number) => new Float64Array(alloc(8 * n));
  const u32 = (n: number) => new Uint32Array(alloc(4 * n));
  const similarity = options.similarity ?? 'cosine';
  const alpha = options.alpha ?? (similarity === 'conditional' ? 0 : 0.5);
  // Per-item factor of the denominator, computed once instead of per pair.
  const rowPow = f64(itemCount);
  const colPow = new Float64Array(itemCount);
  denominatorFactors(sq, similarity, alpha, rowPow, colPow);
  // Items relabelled by popularity, most users first: the few thousand items
  // that most rows touch then share a few cache lines of the accumulator,
  // the norms and the ranks, instead of being spread over all of them.
  const byLabel = popularityOrder(itemOffsets, itemCount, u32(itemCount));
  const label = u32(itemCount);
  for (let x = 0; x < itemCount; x++) label[byLabel[x]] = x;
  const colL = byLabelOf(colPow, byLabel, f64(itemCount));
  const sqL = byLabelOf(sq, byLabel, f64(itemCount));
  const rankL = byLabelOf(rank, byLabel, u32(itemCount));
  return { label, byLabel, sq, sqL, rowPow, colL, rankL };
}

/**
 * The plan of a sequence build: the item part from the item side of the
 * matrix (`itemOffsets`, the norms `sq`) and the sequences for the rows.
 */
function planSequenceRows(
  s: UserSequences,
  itemOffsets: Uint32Array,
  sq: Float64Array,
  rank: Uint32Array,
  options: BuildOptions,
  shared: boolean,
  occurs?: Uint32Array,
): NeighbourPlan {
  const itemCount = sq.length;
  const items = planItems(itemOffsets, sq, rank, options, allocator(shared));
  return {
    sequence: planSequence(s, items.label, itemCount, options, shared, occurs),
    itemCount,
    similarity: 'sequence',
    shrinkage: options.shrinkage ?? 0,
    k: options.k ?? DEFAULT_K,
    packed: false,
    itemOffsets,
    itemValues: new Float32Array(0),
    userStarts: new Uint32Array(0),
    userLengths: new Uint16Array(0),
    userCodes: new Uint32Array(0),
    userValues: null,
    ...items,
  };
}

/**
 * The plan of a sequence build from the sequences alone: each item's
 * occurrences are its users (one per user), so their counts and the norms
 * come from one pass over the sequences (no user x item matrix).
 */
function planFromSequences(
  s: UserSequences,
  itemIds: readonly string[],
  options: BuildOptions,
): NeighbourPlan {
  const itemCount = itemIds.length;
  const occurs = new Uint32Array(itemCount + 1);
  const sq = new Float64Array(itemCount);
  occurrenceNorms(s.items, s.values, occurs, sq);
  prefixSums(occurs);
  return planSequenceRows(s, occurs, sq, idRanks(itemIds), options, false, occurs);
}

/**
 * Counts each item's occurrences into `counts[item + 1]` and sums its
 * values' squares into `sq[item]`, in sequence order: user by user, as the
 * matrix's item side sums them (the same norms, bit for bit).
 */
function occurrenceNorms(
  items: Uint32Array,
  values: Float32Array,
  counts: Uint32Array,
  sq: Float64Array,
): void {
  for (let q = 0; q < items.length; q++) {
    const it = items[q];
    const v = values[q];
    counts[it + 1]++;
    sq[it] += v * v;
  }
}

/** Turns counts at `a[x + 1]` into starts: `a[x]` becomes the sum of the counts before x. */
function prefixSums(a: Uint32Array): void {
  for (let x = 1; x < a.length; x++) a[x] += a[x - 1];
}

/**
 * Builds the top-K neighbour lists of every item (or of `options.rows`).
 * Lists are sorted by score descending, ties by item id ascending
 * ({@link compareIds}); an item is never its own neighbour. `itemIds` of the
 * result is `log.itemIds` itself (not copied).
 *
 * @param log interactions, e.g. from `readEvents` or {@link eventsToLog}.
 * @param options similarity, neighbourhood size and interaction weighting;
 *   defaults: cosine, K = 50, type weights view 1 / click 2 / add_to_cart 4 /
 *   purchase 8, no shrinkage, no recency decay.
 * @param rows - The log's rows already grouped by user (`groupRowsByUser`),
 *   to share that pass with other builds. Default: grouped here.
 * @example
 * const n = buildNeighbours(log, { k: 100 });
 * const source = neighbourSource(n);
 */
export function buildNeighbours(
  log: InteractionLog,
  options: BuildOptions = {},
  rows?: UserRows,
): Neighbours {
  checkOptions(options, log.itemIds.length);
  const plan =
    options.similarity === 'sequence'
      ? planFromSequences(userSequences(log, options, rows), log.itemIds, options)
      : planNeighbours(buildUserItemMatrix(log, options, rows), log.itemIds, options);
  return { itemIds: log.itemIds, ...buildNeighbourRows(plan, options.rows) };
}

/** Neighbour lists without their item ids (what a worker thread sends back). */
export type NeighbourLists = Omit<Neighbours, 'itemIds'>;

/**
 * Builds the lists of the items in `[start, end)` from a plan (every item by
 * default); other items get empty lists, so builds of disjoint ranges merge
 * with {@link mergeNeighbours}.
 *
 * @example const part = buildNeighbourRows(plan, [0, plan.itemCount >> 1]);
 */
export function buildNeighbourRows(
  plan: NeighbourPlan,
  rows?: readonly [number, number],
): NeighbourLists {
  const { itemCount, k, packed, byLabel } = plan;
  const [start, end] = rows ?? [0, itemCount];
  checkOptions({ rows: [start, end] }, itemCount);
  // Packed: integer dot products, the same sums as in doubles, bit for bit;
  // a product is >= 1, so a zero means "not touched yet" and no separate
  // count is needed. Otherwise doubles, plus counts for the first-touch test
  // and the shrinkage support.
  const dots = new Int32Array(packed ? itemCount : 0);
  // One more for a padded sequence plan's sentinel: -Infinity, so never a
  // column first met (its sums are ignored).
  const acc = new Float64Array(packed ? 0 : itemCount + 1);
  acc[itemCount] = Number.NEGATIVE_INFINITY;
  const hits = new Int32Array(packed ? 0 : itemCount);
  // Each touched column once (one spare slot: the branch-free loops write one past the last).
  const touched = new Uint32Array(itemCount + 1);
  // Candidates, and those that reach a row's threshold: scores at the stored
  // precision (float32), their bits, and their columns.
  const cand = candidateArrays(itemCount);
  const kept = candidateArrays(itemCount);
  const best = new Uint32Array(SAMPLE_RANK);
  const hist = new Uint32Array(2 ** (31 - BUCKET_SHIFT));
  // The selection: the row's list, best first, in its first slots.
  const selScores = new Float64Array(itemCount + 1);
  const selItems = new Int32Array(itemCount + 1);
  const offsets = new Uint32Array(itemCount + 1);
  // The sequence similarity without shrinkage, its sums all > 0: see accumulateUniform.
  const seq = plan.sequence;
  const fast = seq !== undefined && plan.shrinkage === 0 && seq.positive;
  // The sums of a sequence row's columns that pass its filter, and the
  // least and greatest bits of its scores.
  const sums = new Float64Array(fast ? itemCount : 0);
  const span = new Uint32Array(2);
  const scratch: RowScratch = {
    dots,
    acc,
    hits,
    touched,
    cand,
    kept,
    best,
    hist,
    selScores,
    selItems,
    sums,
    span,
  };
  // Room for every list at once when a bound is known (a sequence row has
  // at most `reach` candidates per occurrence), else grown as it fills.
  const room = seq ? sequenceRoom(seq, start, end, k) : Math.min(1 << 16, (end - start) * k);
  let indices = new Uint32Array(room || 1);
  let scores = new Float32Array(indices.length);
  let listed = 0;
  // Each step of a row is a function of its own: each is optimised once it
  // has seen every path (one big function got optimised while its later
  // steps had not run yet, and fell back to the interpreter when they did).
  for (let i = 0; i < itemCount; i++) {
    offsets[i] = listed;
    if (i < start || i >= end) continue;
    const n = fast && seq ? sequenceRow(plan, seq, i, scratch) : matrixRow(plan, i, scratch);
    if (listed + n > indices.length) {
      const size = Math.max(indices.length * 2, listed + n);
      const ni = new Uint32Array(size);
      ni.set(indices.subarray(0, listed));
      const ns = new Float32Array(size);
      ns.set(scores.subarray(0, listed));
      indices = ni;
      scores = ns;
    }
    for (let x = 0; x < n; x++) {
      indices[listed + x] = byLabel[selItems[x]];
      scores[listed + x] = selScores[x];
    }
    listed += n;
  }
  offsets[itemCount] = listed;
  if (listed === indices.length) return { offsets, indices, scores };
  return { offsets, indices: indices.slice(0, listed), scores: scores.slice(0, listed) };
}

/** What a row's build works in, allocated once per {@link buildNeighbourRows}. */
interface RowScratch {
  dots: Int32Array;
  acc: Float64Array;
  hits: Int32Array;
  touched: Uint32Array;
  cand: Candidates;
  kept: Candidates;
  best: Uint32Array;
  hist: Uint32Array;
  selScores: Float64Array;
  selItems: Int32Array;
  sums: Float64Array;
  span: Uint32Array;
}

/**
 * A sequence row (sums without counts, all > 0) into the first slots of
 * `selScores` and `selItems`; returns how many.
 */
function sequenceRow(plan: NeighbourPlan, seq: SequencePlan, i: number, w: RowScratch): number {
  const { k, itemCount } = plan;
  const { acc, touched, cand, kept, sums, best, span } = w;
  const accumulate = seq.pad
    ? seq.uniform
      ? accumulatePadded
      : accumulatePaddedValued
    : seq.uniform
      ? accumulateUniform
      : accumulateValued;
  // A row that visits more positions than there are columns: summed
  // without the touched list, then its columns listed by a scan.
  const dense =
    seq.pad > 0 && (seq.occurs[i + 1] - seq.occurs[i]) * seq.reach >= DENSE_ROW * itemCount;
  let nt = dense ? sumPadded(seq, i, acc, touched, itemCount) : accumulate(seq, i, acc, touched);
  let nc =
    nt > SEQUENCE_FILTER * k
      ? filterSequence(plan, i, nt, k, acc, touched, cand, kept, sums, best, span)
      : -1;
  // The guessed threshold kept fewer than K: the row again, in full.
  if (nc === -2)
    nt = dense ? sumPadded(seq, i, acc, touched, itemCount) : accumulate(seq, i, acc, touched);
  if (nc < 0) nc = scoreSequence(plan, i, nt, acc, touched, cand, span);
  // Buckets sized to the row's scores: at most 2^SEQUENCE_BUCKET_BITS.
  const shift = Math.max(0, 32 - Math.clz32(span[1] - span[0]) - SEQUENCE_BUCKET_BITS);
  return selectRow(k, nc, cand, w.hist, w.selScores, w.selItems, plan, span[0], shift);
}

/** A row from the user side of the plan (or a sequence row with counts), as {@link sequenceRow}. */
function matrixRow(plan: NeighbourPlan, i: number, w: RowScratch): number {
  const { dots, acc, hits, touched, cand, kept } = w;
  const seq = plan.sequence;
  const nt = seq
    ? accumulateSequence(seq, i, acc, hits, touched)
    : plan.packed
      ? accumulateCodes(plan, i, dots, touched)
      : accumulateValues(plan, i, acc, hits, touched);
  const nc = scoreCandidates(plan, i, nt, dots, acc, hits, touched, cand);
  const m = filterCandidates(plan.k, nc, cand, kept, w.best);
  return selectRow(
    plan.k,
    m < 0 ? nc : m,
    m < 0 ? cand : kept,
    w.hist,
    w.selScores,
    w.selItems,
    plan,
  );
}

/** Candidates of a row: scores (float32), their bits, and their columns. */
type Candidates = [Float32Array, Uint32Array, Uint32Array];

function candidateArrays(itemCount: number): Candidates {
  const scores = new Float32Array(itemCount);
  return [scores, new Uint32Array(scores.buffer), new Uint32Array(itemCount)];
}

/**
 * Row i's dot products with every column it shares a user with, from the
 * packed codes, into `dots`; returns how many columns it touched (listed in
 * `touched`, each once). The hot loop: `touched` records each column
 * branch-free, the store kept only when the old value was 0 ((h - 1) >>> 31
 * is 1 exactly then).
 */
function accumulateCodes(
  plan: NeighbourPlan,
  i: number,
  dots: Int32Array,
  touched: Uint32Array,
): number {
  const { itemOffsets, itemValues, userStarts, userLengths, userCodes } = plan;
  let nt = 0;
  const p1 = itemOffsets[i + 1];
  for (let p = itemOffsets[i]; p < p1; p++) {
    const w = itemValues[p] | 0;
    const q0 = userStarts[p];
    const q1 = q0 + userLengths[p];
    for (let q = q0; q < q1; q++) {
      const c = userCodes[q];
      const j = c & 0xffffff;
      const h = dots[j];
      dots[j] = h + w * (c >>> 24);
      touched[nt] = j;
      nt += (h - 1) >>> 31;
    }
  }
  return nt;
}

/** {@link accumulateCodes} for values that are not packed: sums and counts. */
function accumulateValues(
  plan: NeighbourPlan,
  i: number,
  acc: Float64Array,
  hits: Int32Array,
  touched: Uint32Array,
): number {
  const { itemOffsets, itemValues, userStarts, userLengths, userCodes } = plan;
  const userValues = plan.userValues ?? new Float64Array(0);
  let nt = 0;
  const p1 = itemOffsets[i + 1];
  for (let p = itemOffsets[i]; p < p1; p++) {
    const w = itemValues[p];
    const q0 = userStarts[p];
    const q1 = q0 + userLengths[p];
    for (let q = q0; q < q1; q++) {
      const j = userCodes[q];
      const h = hits[j];
      hits[j] = h + 1;
      acc[j] += w * userValues[q];
      touched[nt] = j;
      nt += (h - 1) >>> 31;
    }
  }
  return nt;
}

/**
 * {@link accumulateValues} for the sequence similarity, with counts (for
 * shrinkage, or when some pair adds 0 and a zero sum does not mean "not
 * touched"): for each occurrence of item i, the items within the window
 * after it (forward weights) and before it (backward weights), times both
 * values (held by the weights already when every value is the same).
 */
function accumulateSequence(
  seq: SequencePlan,
  i: number,
  acc: Float64Array,
  hits: Int32Array,
  touched: Uint32Array,
): number {
  const { codes, at, lo, hi, forward, before, uniform } = seq;
  const values = uniform ? null : seq.values;
  let nt = 0;
  const o1 = seq.occurs[i + 1];
  for (let o = seq.occurs[i]; o < o1; o++) {
    const q = at[o];
    const v = values ? values[q] : 1;
    const a = lo[o];
    for (let x = q - 1; x >= a; x--) {
      const j = codes[x];
      const h = hits[j];
      hits[j] = h + 1;
      acc[j] += v * (values ? values[x] : 1) * before[q - x];
      touched[nt] = j;
      nt += (h - 1) >>> 31;
    }
    const b = hi[o];
    for (let x = q + 1; x < b; x++) {
      const j = codes[x];
      const h = hits[j];
      hits[j] = h + 1;
      acc[j] += v * (values ? values[x] : 1) * forward[x - q];
      touched[nt] = j;
      nt += (h - 1) >>> 31;
    }
  }
  return nt;
}

/**
 * Row i's sequence sums into `acc` when every value is the same (the
 * weights hold its square): for each occurrence of i, the items within the
 * window before it (backward weights) and after it (forward weights). Every
 * pair adds more than 0 (`positive`), so an accumulator at 0 is a column
 * not met yet: it goes on the `touched` list, branch-free (Number() of the
 * test: the optimiser makes `? 1 : 0` a branch, and whether a column is new
 * is as good as random). Returns how many columns were touched.
 */
function accumulateUniform(
  seq: SequencePlan,
  i: number,
  acc: Float64Array,
  touched: Uint32Array,
): number {
  const { codes, at, lo, hi, forward, before } = seq;
  let nt = 0;
  const o1 = seq.occurs[i + 1];
  for (let o = seq.occurs[i]; o < o1; o++) {
    const q = at[o];
    const a = lo[o];
    for (let x = q - 1; x >= a; x--) {
      const j = codes[x];
      const h = acc[j];
      acc[j] = h + before[q - x];
      touched[nt] = j;
      nt += Number(h === 0);
    }
    const b = hi[o];
    for (let x = q + 1; x < b; x++) {
      const j = codes[x];
      const h = acc[j];
      acc[j] = h + forward[x - q];
      touched[nt] = j;
      nt += Number(h === 0);
    }
  }
  return nt;
}

/** {@link accumulateUniform} when values differ: each pair adds both values times its weight. */
function accumulateValued(
  seq: SequencePlan,
  i: number,
  acc: Float64Array,
  touched: Uint32Array,
): number {
  const { codes, values, at, lo, hi, forward, before } = seq;
  let nt = 0;
  const o1 = seq.occurs[i + 1];
  for (let o = seq.occurs[i]; o < o1; o++) {
    const q = at[o];
    const v = values[q];
    const a = lo[o];
    for (let x = q - 1; x >= a; x--) {
      const j = codes[x];
      const h = acc[j];
      acc[j] = h + v * values[x] * before[q - x];
      touched[nt] = j;
      nt += Number(h === 0);
    }
    const b = hi[o];
    for (let x = q + 1; x < b; x++) {
      const j = codes[x];
      const h = acc[j];
      acc[j] = h + v * values[x] * forward[x - q];
      touched[nt] = j;
      nt += Number(h === 0);
    }
  }
  return nt;
}

/**
 * {@link accumulateUniform} over a padded layout ({@link SequencePlan.pad}):
 * the window's positions after each occurrence, and before it unless
 * backward is 0, with no bounds (the sentinel's sum stays -Infinity).
 */
function accumulatePadded(
  seq: SequencePlan,
  i: number,
  acc: Float64Array,
  touched: Uint32Array,
): number {
  const { codes, at, forward, before, pad } = seq;
  const both = seq.reach > pad;
  let nt = 0;
  const o1 = seq.occurs[i + 1];
  for (let o = seq.occurs[i]; o < o1; o++) {
    const q = at[o];
    // Both sides in one loop: an occurrence's columns are distinct (the
    // sentinel's aside), so each sum gets its terms in the same order.
    if (both)
      for (let d = 1; d <= pad; d++) {
        const j = codes[q + d];
        const h = acc[j];
        acc[j] = h + forward[d];
        touched[nt] = j;
        nt += Number(h === 0);
        const b = codes[q - d];
        const g = acc[b];
        acc[b] = g + before[d];
        touched[nt] = b;
        nt += Number(g === 0);
      }
    else
      for (let d = 1; d <= pad; d++) {
        const j = codes[q + d];
        const h = acc[j];
        acc[j] = h + forward[d];
        touched[nt] = j;
        nt += Number(h === 0);
      }
  }
  return nt;
}

/**
 * A row may visit many more positions than there are columns: summed
 * then without the touched list (no store and no test per pair), and its
 * columns listed by a scan of all of them. The ratio of visits to columns
 * from which a row is summed so.
 */
const DENSE_ROW = 1;

/**
 * Row i's sums over a padded layout into `acc`, with no touched list;
 * then the columns met (a sum above 0) into `touched`, by a scan of the
 * first `columns`. Returns how many.
 */
function sumPadded(
  seq: SequencePlan,
  i: number,
  acc: Float64Array,
  touched: Uint32Array,
  columns: number,
): number {
  if (seq.uniform) sumUniform(seq, i, acc);
  else sumValued(seq, i, acc);
  let nt = 0;
  for (let j = 0; j < columns; j++) {
    touched[nt] = j;
    nt += Number(acc[j] > 0);
  }
  return nt;
}

/** {@link accumulatePadded} without the touched list. */
function sumUniform(seq: SequencePlan, i: number, acc: Float64Array): void {
  const { codes, at, forward, before, pad } = seq;
  const both = seq.reach > pad;
  const o1 = seq.occurs[i + 1];
  for (let o = seq.occurs[i]; o < o1; o++) {
    const q = at[o];
    if (both)
      for (let d = 1; d <= pad; d++) {
        acc[codes[q + d]] += forward[d];
        acc[codes[q - d]] += before[d];
      }
    else for (let d = 1; d <= pad; d++) acc[codes[q + d]] += forward[d];
  }
}

/** {@link accumulatePaddedValued} without the touched list. */
function sumValued(seq: SequencePlan, i: number, acc: Float64Array): void {
  const { codes, values, at, forward, before, pad } = seq;
  const both = seq.reach > pad;
  const o1 = seq.occurs[i + 1];
  for (let o = seq.occurs[i]; o < o1; o++) {
    const q = at[o];
    const v = values[q];
    if (both)
      for (let d = 1; d <= pad; d++) {
        acc[codes[q + d]] += v * values[q + d] * forward[d];
        acc[codes[q - d]] += v * values[q - d] * before[d];
      }
    else for (let d = 1; d <= pad; d++) acc[codes[q + d]] += v * values[q + d] * forward[d];
  }
}

/** {@link accumulatePadded} when values differ (0 at the padding). */
function accumulatePaddedValued(
  seq: SequencePlan,
  i: number,
  acc: Float64Array,
  touched: Uint32Array,
): number {
  const { codes, values, at, forward, before, pad } = seq;
  const both = seq.reach > pad;
  let nt = 0;
  const o1 = seq.occurs[i + 1];
  for (let o = seq.occurs[i]; o < o1; o++) {
    const q = at[o];
    const v = values[q];
    if (both)
      for (let d = 1; d <= pad; d++) {
        const j = codes[q + d];
        const h = acc[j];
        acc[j] = h + v * values[q + d] * forward[d];
        touched[nt] = j;
        nt += Number(h === 0);
        const b = codes[q - d];
        const g = acc[b];
        acc[b] = g + v * values[q - d] * before[d];
        touched[nt] = b;
        nt += Number(g === 0);
      }
    else
      for (let d = 1; d <= pad; d++) {
        const j = codes[q + d];
        const h = acc[j];
        acc[j] = h + v * values[q + d] * forward[d];
        touched[nt] = j;
        nt += Number(h === 0);
      }
  }
  return nt;
}

/**
 * {@link scoreCandidates} for the sequence sums (no counts, no shrinkage).
 * A sequence row never touches its own item (each item is once in a
 * user's sequence), so every touched column with a similarity is a
 * candidate.
 */
function scoreSequence(
  plan: NeighbourPlan,
  i: number,
  nt: number,
  acc: Float64Array,
  touched: Uint32Array,
  [candScores, candBits, candItems]: Candidates,
  span: Uint32Array,
): number {
  const { colL } = plan;
  const ri = plan.rowPow[i];
  let nc = 0;
  let low = 0x7f800000;
  let high = 0;
  for (let t = 0; t < nt; t++) {
    const j = touched[t];
    const c = acc[j];
    acc[j] = 0;
    candScores[nc] = c / (ri * colL[j]);
    candItems[nc] = j;
    // Only 0 / 0 is NaN (bits above infinity's): no similarity, not a candidate.
    const b = candBits[nc];
    const keep = b <= 0x7f800000;
    low = Math.min(low, keep ? b : low);
    high = Math.max(high, keep ? b : 0);
    nc += Number(keep);
  }
  span[0] = low;
  span[1] = high;
  return nc;
}

/** A sequence row's scores go in at most 2 to this power buckets (see {@link selectRow}). */
const SEQUENCE_BUCKET_BITS = 8;

/**
 * Sequence rows with more than this many times K touched columns are
 * filtered before they are scored (see {@link filterSequence}).
 */
const SEQUENCE_FILTER = 4;

/**
 * A score a little under `t` (relative 2^-20, far above the rounding of a
 * score to float32 and of the products that test it): a sum `c` whose
 * float32 score can reach `t` passes `c >= t · (1 - 2^-20) · ri · colL[j]`.
 */
const FILTER_SLACK = 1 - 2 ** -20;

/**
 * Most of a sequence row's touched columns cannot be among its K best: a
 * threshold guessed from the exact scores of a sample (as
 * {@link filterCandidates} does) drops them by their sums, a product each
 * instead of a division, before any is scored. Only the columns that pass
 * are scored, into `cand` (the least and greatest bits into `span`).
 * Returns how many, with the accumulators reset;
 * -1 when the row is too short to gain (nothing done); -2 when fewer than
 * K reached the threshold (the accumulators are reset: the caller
 * accumulates the row again and scores it in full).
 */
function filterSequence(
  plan: NeighbourPlan,
  i: number,
  nt: number,
  k: number,
  acc: Float64Array,
  touched: Uint32Array,
  cand: Candidates,
  [one, oneBits, keptItems]: Candidates,
  sums: Float64Array,
  best: Uint32Array,
  span: Uint32Array,
): number {
  const { colL } = plan;
  const ri = plan.rowPow[i];
  const [candScores, candBits, candItems] = cand;
  const size = sampleSize(nt, k);
  if (size === 0) return -1;
  const step = nt / size;
  for (let x = 0; x < size; x++) {
    const j = touched[Math.floor(x * step)];
    candScores[x] = acc[j] / (ri * colL[j]);
  }
  const thr = nthBest(candBits, size, 1, best);
  // No threshold below infinity (or NaN): nothing to gain.
  if (thr === 0 || thr >= 0x7f800000) return -1;
  oneBits[0] = thr;
  const g = one[0] * FILTER_SLACK * ri;
  let m = 0;
  for (let t = 0; t < nt; t++) {
    const j = touched[t];
    const c = acc[j];
    acc[j] = 0;
    sums[m] = c;
    keptItems[m] = j;
    m += Number(c >= g * colL[j]);
  }
  let nc = 0;
  let reach = 0;
  let low = 0x7f800000;
  let high = 0;
  for (let x = 0; x < m; x++) {
    const j = keptItems[x];
    candScores[nc] = sums[x] / (ri * colL[j]);
    candItems[nc] = j;
    const b = candBits[nc];
    const keep = b <= 0x7f800000;
    low = Math.min(low, keep ? b : low);
    high = Math.max(high, keep ? b : 0);
    reach += Number(keep && b >= thr);
    nc += Number(keep);
  }
  span[0] = low;
  span[1] = high;
  return reach >= k ? nc : -2;
}

/**
 * The {@link SequencePlan} of users' sequences, items relabelled by `label`;
 * `occurs`: each item's first occurrence, when the caller counted them.
 */
function planSequence(
  s: UserSequences,
  label: Uint32Array,
  itemCount: number,
  options: BuildOptions,
  shared: boolean,
  given?: Uint32Array,
): SequencePlan {
  const alloc = allocator(shared);
  const window = options.window ?? DEFAULT_WINDOW;
  const back = options.backward ?? DEFAULT_BACKWARD;
  const n = s.items.length;
  const range = new Float64Array(2);
  valueRange(s.values, range);
  const uniform = range[0] === range[1];
  const vv = uniform && n > 0 ? s.values[0] * s.values[0] : 1;
  const forward = new Float64Array(window + 1);
  const before = new Float64Array(window + 1);
  for (let d = 1; d <= window; d++) {
    forward[d] = vv / d;
    before[d] = (vv * back) / d;
  }
  const weakest = back > 0 ? Math.min(before[window], forward[window]) : forward[window];
  const positive = uniform ? weakest > 0 : range[0] * range[0] * weakest > 0;
  const reach = back > 0 ? 2 * window : window;
  let occurs = given;
  if (!occurs) {
    occurs = new Uint32Array(alloc(4 * (itemCount + 1)));
    countItems(s.items, occurs);
    prefixSums(occurs);
  }
  const at = new Uint32Array(alloc(4 * n));
  const next = occurs.slice(0, itemCount);
  const pad = padWindow(s, window, reach, positive && !(options.shrinkage ?? 0));
  if (pad > 0) {
    // Sequences `pad` apart, the sentinel label (itemCount) between them.
    const length = n + pad * s.offsets.length;
    const codes =
      itemCount < 1 << 16 ? new Uint16Array(alloc(2 * length)) : new Uint32Array(alloc(4 * length));
    const values = new Float32Array(alloc(4 * (uniform ? 0 : length)));
    placePadded(s, label, next, pad, codes, values, at);
    const none = new Uint32Array(0);
    return {
      codes,
      values,
      occurs,
      at,
      lo: none,
      hi: none,
      forward,
      before,
      uniform,
      positive,
      reach,
      pad,
    };
  }
  const codes =
    itemCount <= 1 << 16 ? new Uint16Array(alloc(2 * n)) : new Uint32Array(alloc(4 * n));
  relabel(s.items, label, codes);
  // The sequences' own values, unless the plan is for other threads.
  let values = s.values;
  if (shared) {
    values = new Float32Array(alloc(4 * n));
    values.set(s.values);
  }
  const lo = new Uint32Array(alloc(4 * n));
  const hi = new Uint32Array(alloc(4 * n));
  // Backward 0: what came before adds nothing, and is not visited.
  placeOccurrences(s, next, window, back > 0 ? window : 0, at, lo, hi);
  return { codes, values, occurs, at, lo, hi, forward, before, uniform, positive, reach, pad: 0 };
}

/**
 * How far apart to lay the sequences out ({@link SequencePlan.pad}): the
 * window when the fixed-length loops' visits to the padding cost less than
 * the bounds of each occurrence they save (sequences much longer than the
 * window), else 0. Only for the sums without counts (`fast`), and labels
 * that leave room for the sentinel.
 */
function padWindow(s: UserSequences, window: number, reach: number, fast: boolean): number {
  if (!fast) return 0;
  // Backward 0 visits one side: half the pairs (counted from both ends).
  const pairs = windowedPairs(s, window) / (reach === window ? 2 : 1);
  return s.items.length * reach <= PAD_WASTE * pairs ? window : 0;
}

/**
 * Padded layouts are taken while they visit at most this many times the
 * pairs within the window (their loops have no bounds to load and test).
 */
const PAD_WASTE = 1.25;

/**
 * Lays the sequences out `pad` apart (padding before the first and after
 * each), relabelled, with their values unless none are given, and each
 * item's occurrences (positions in that layout) from `next[item]` on.
 */
function placePadded(
  s: UserSequences,
  label: Uint32Array,
  next: Uint32Array,
  pad: number,
  codes: Uint16Array | Uint32Array,
  values: Float32Array,
  at: Uint32Array,
): void {
  const { items, offsets } = s;
  const sentinel = label.length;
  codes.fill(sentinel);
  const users = offsets.length - 1;
  const valued = values.length > 0;
  let p = pad;
  for (let u = 0; u < users; u++) {
    const q1 = offsets[u + 1];
    for (let q = offsets[u]; q < q1; q++) {
      const it = items[q];
      codes[p] = label[it];
      if (valued) values[p] = s.values[q];
      at[next[it]++] = p++;
    }
    p += pad;
  }
}

/** How many entries the lists of rows `[start, end)` can hold at most: K each, or `reach` per occurrence. */
function sequenceRoom(seq: SequencePlan, start: number, end: number, k: number): number {
  const { occurs, reach } = seq;
  let room = 0;
  for (let i = start; i < end; i++) room += Math.min(k, (occurs[i + 1] - occurs[i]) * reach);
  return room;
}

/** `codes[q] = label[items[q]]`. */
function relabel(items: Uint32Array, label: Uint32Array, codes: Uint16Array | Uint32Array): void {
  for (let q = 0; q < items.length; q++) codes[q] = label[items[q]];
}

/** Counts each item's occurrences into `counts[item + 1]`. */
function countItems(items: Uint32Array, counts: Uint32Array): void {
  for (let q = 0; q < items.length; q++) counts[items[q] + 1]++;
}

/**
 * Each item's occurrences (positions, user by user) from its first slot
 * `next[item]` on, with the first and one-past-last position each pairs
 * with: `before` steps back and `window` steps on, within its user's sequence.
 */
function placeOccurrences(
  s: UserSequences,
  next: Uint32Array,
  window: number,
  before: number,
  at: Uint32Array,
  lo: Uint32Array,
  hi: Uint32Array,
): void {
  const { items, offsets } = s;
  const users = offsets.length - 1;
  for (let u = 0; u < users; u++) {
    const q0 = offsets[u];
    const q1 = offsets[u + 1];
    for (let q = q0; q < q1; q++) {
      const o = next[items[q]]++;
      at[o] = q;
      lo[o] = Math.max(q0, q - before);
      hi[o] = Math.min(q1, q + window + 1);
    }
  }
}

/** The least and the greatest value into `range` (+Infinity and -Infinity when there are none). */
function valueRange(values: Float32Array, range: Float64Array): void {
  let least = Number.POSITIVE_INFINITY;
  let most = Number.NEGATIVE_INFINITY;
  for (let q = 0; q < values.length; q++) {
    least = Math.min(least, values[q]);
    most = Math.max(most, values[q]);
  }
  range[0] = least;
  range[1] = most;
}

/**
 * Turns the `nt` touched columns of row i into candidates (every column but
 * i itself with a similarity), resetting the accumulators; returns how
 * many. Scores go to a float32 scratch, the stored precision, so stored ties
 * are ordered by id; their bit patterns order like their values (scores are
 * >= 0), which the selection relies on.
 */
function scoreCandidates(
  plan: NeighbourPlan,
  i: number,
  nt: number,
  dots: Int32Array,
  acc: Float64Array,
  hits: Int32Array,
  touched: Uint32Array,
  [candScores, , candItems]: Candidates,
): number {
  const { similarity, shrinkage, packed, sqL, colL } = plan;
  const ri = plan.rowPow[i];
  const sqi = plan.sq[i];
  const li = plan.label[i];
  let nc = 0;
  if (packed && similarity !== 'jaccard') {
    // The common case (packed, so without shrinkage: cosine or conditional)
    // in a loop of its own, with no per-pair test of the options: the same
    // arithmetic as below, so the same scores, bit for bit.
    for (let t = 0; t < nt; t++) {
      const j = touched[t];
      const c = dots[j];
      dots[j] = 0;
      const score = c / (ri * colL[j]);
      if (j === li || Number.isNaN(score)) continue;
      candScores[nc] = score;
      candItems[nc] = j;
      nc++;
    }
    return nc;
  }
  if (!packed && shrinkage === 0 && similarity !== 'jaccard') {
    // Sums in doubles without shrinkage (the sequence similarity's case):
    // the same arithmetic as below, with no per-pair test of the options.
    // Branch-free: each column is written, and kept (nc moves on) unless it
    // is i itself or has no similarity (NaN: 0 / 0).
    for (let t = 0; t < nt; t++) {
      const j = touched[t];
      const c = acc[j];
      acc[j] = 0;
      hits[j] = 0;
      const score = c / (ri * colL[j]);
      candScores[nc] = score;
      candItems[nc] = j;
      nc += Number(j !== li) & Number(!Number.isNaN(score));
    }
    return nc;
  }
  for (let t = 0; t < nt; t++) {
    const j = touched[t];
    let c: number;
    let n: number;
    if (packed) {
      c = dots[j];
      dots[j] = 0;
      n = c;
    } else {
      n = hits[j];
      hits[j] = 0;
      c = acc[j];
      acc[j] = 0;
    }
    if (j === li) continue;
    let score: number;
    if (similarity === 'jaccard') score = c / (sqi + sqL[j] - c);
    else score = c / (ri * colL[j]);
    if (shrinkage > 0) score *= n / (n + shrinkage);
    // Only all-zero values give 0 / 0: no similarity, not a neighbour.
    if (Number.isNaN(score)) continue;
    candScores[nc] = score;
    candItems[nc] = j;
    nc++;
  }
  return nc;
}

/**
 * Most of a row's `nc` candidates cannot be among the K best: a threshold
 * that at least K of them reach, guessed from a sample, drops them in one
 * branch-free pass. Returns how many passed, in `kept`, or -1 when the row
 * is too short to gain or the guess kept fewer than K (the candidates then
 * all go on).
 */
function filterCandidates(
  k: number,
  nc: number,
  [, candBits, candItems]: Candidates,
  [, keptBits, keptItems]: Candidates,
  best: Uint32Array,
): number {
  if (nc <= FILTER_FACTOR * k) return -1;
  const thr = sampleThreshold(candBits, nc, k, best);
  if (thr === 0) return -1;
  let m = 0;
  for (let t = 0; t < nc; t++) {
    const bits = candBits[t];
    keptBits[m] = bits;
    keptItems[m] = candItems[t];
    m += (thr - 1 - bits) >>> 31;
  }
  return m >= k ? m : -1;
}

/**
 * Selects the best K of a row's `nc` candidates into the first slots of
 * `selScores` and `selItems`, best first; returns how many (K, or fewer
 * candidates).
 *
 * A histogram of the high bits of the scores finds the bucket holding the
 * K-th best with no data-dependent branch; walking down from the top bucket
 * to it turns counts into first slots (a counting sort by bucket), and the
 * candidates from that bucket up are placed: best buckets first, the K-th's
 * last. Buckets above the K-th's hold fewer than K pairs, in bucket order:
 * an insertion sort only moves pairs within their bucket. In the K-th's
 * bucket (where ties gather) only the missing best few are selected.
 *
 * The buckets are `(bits - base) >>> shift`, no candidate below `base`:
 * by default a fixed width under 1 % of the score; a caller that knows
 * the span of its scores sizes the buckets to it (fewer buckets to walk).
 */
function selectRow(
  k: number,
  nc: number,
  [scores, bits, items]: Candidates,
  hist: Uint32Array,
  selScores: Float64Array,
  selItems: Int32Array,
  { rankL }: NeighbourPlan,
  base = 0,
  shift = BUCKET_SHIFT,
): number {
  if (nc === 0) return 0;
  if (nc <= k) {
    // Every candidate is kept: sorted, no histogram (whose walk over the
    // buckets the scores span costs more than a short row's sort).
    for (let t = 0; t < nc; t++) {
      selScores[t] = scores[t];
      selItems[t] = items[t];
    }
    selectBest(selScores, selItems, rankL, 0, nc, nc);
    return nc;
  }
  let lo = hist.length;
  let hi = 0;
  for (let t = 0; t < nc; t++) {
    const b = (bits[t] - base) >>> shift;
    hist[b]++;
    lo = Math.min(lo, b);
    hi = Math.max(hi, b);
  }
  let above = 0;
  let b = hi;
  for (;;) {
    const h = hist[b];
    hist[b] = above;
    if (above + h >= k || b === lo) break;
    above += h;
    b--;
  }
  // Branch-free (whether a candidate is placed is as good as random): the
  // others go to the spare last slot.
  const spare = selScores.length - 1;
  for (let t = 0; t < nc; t++) {
    const bucket = (bits[t] - base) >>> shift;
    const take = Number(bucket >= b);
    const h = hist[bucket];
    hist[bucket] = h + take;
    const slot = take * h + (1 - take) * spare;
    selScores[slot] = scores[t];
    selItems[slot] = items[t];
  }
  const survivors = hist[b];
  hist.fill(0, lo, hi + 1);
  insertionSort(selScores, selItems, rankL, 0, above - 1);
  const n = Math.min(k, survivors);
  selectBest(selScores, selItems, rankL, above, survivors, n - above);
  return n;
}

/**
 * A guess at a score (as float32 bits) that at least `k` of the `n`
 * candidates reach: the {@link SAMPLE_RANK}-th best of an evenly spaced
 * sample. 0 when the sample would be over half of them (no gain).
 */
function sampleThreshold(bits: Uint32Array, n: number, k: number, best: Uint32Array): number {
  const size = sampleSize(n, k);
  return size === 0 ? 0 : nthBest(bits, size, n / size, best);
}

/**
 * How many of `n` candidates to sample for a threshold about
 * {@link FILTER_MARGIN} · K of them reach; 0 when that is over half of them.
 */
function sampleSize(n: number, k: number): number {
  const size = Math.ceil((SAMPLE_RANK * n) / (FILTER_MARGIN * k));
  return size > n >> 1 ? 0 : size;
}

/** The {@link SAMPLE_RANK}-th best of `bits[floor(x · step)]` for x < size, using `best`. */
function nthBest(bits: Uint32Array, size: number, step: number, best: Uint32Array): number {
  // `best` holds the best bits so far, best first.
  let kept = 0;
  for (let x = 0; x < size; x++) {
    const v = bits[Math.floor(x * step)];
    if (kept === SAMPLE_RANK && v <= best[SAMPLE_RANK - 1]) continue;
    let y = kept < SAMPLE_RANK ? kept++ : SAMPLE_RANK - 1;
    while (y > 0 && best[y - 1] < v) {
      best[y] = best[y - 1];
      y--;
    }
    best[y] = v;
  }
  return best[kept - 1];
}

/** Squared norm of every item's user vector (the user count on binary data), into `sq`. */
function squaredNorms(
  itemOffsets: Uint32Array,
  itemValues: MatrixValues,
  sq: Float64Array,
): Float64Array {
  for (let i = 0; i < sq.length; i++) {
    let s = 0;
    for (let p = itemOffsets[i]; p < itemOffsets[i + 1]; p++) s += itemValues[p] * itemValues[p];
    sq[i] = s;
  }
  return sq;
}

/** The row and column factors of each item's denominator (none for jaccard). */
function denominatorFactors(
  sq: Float64Array,
  similarity: Similarity,
  alpha: number,
  rowPow: Float64Array,
  colPow: Float64Array,
): void {
  for (let i = 0; i < sq.length; i++) {
    if (similarity === 'cosine' || similarity === 'sequence') {
      rowPow[i] = sq[i] ** alpha;
      colPow[i] = sq[i] ** (1 - alpha);
    } else if (similarity === 'conditional') {
      rowPow[i] = sq[i];
      colPow[i] = sq[i] ** alpha;
    }
  }
}

/** `values` by label into `out`: `out[x] = values[byLabel[x]]`. */
function byLabelOf<T extends Float64Array | Uint32Array>(
  values: T,
  byLabel: Uint32Array,
  out: T,
): T {
  for (let x = 0; x < out.length; x++) out[x] = values[byLabel[x]];
  return out;
}

/** For each entry of the item side: where its user's pairs start, and how many. */
function userSpans(
  itemUsers: Uint32Array,
  userOffsets: Uint32Array,
  userStarts: Uint32Array,
  userLengths: Uint16Array | Uint32Array,
): void {
  for (let p = 0; p < itemUsers.length; p++) {
    const u = itemUsers[p];
    const q0 = userOffsets[u];
    userStarts[p] = q0;
    userLengths[p] = userOffsets[u + 1] - q0;
  }
}

/** The label of each pair's item, with its value in the top byte when `values` are given. */
function codesOf(
  userItems: Uint32Array,
  label: Uint32Array,
  values: MatrixValues | null,
  codes: Uint32Array,
): Uint32Array {
  if (values)
    for (let q = 0; q < codes.length; q++) codes[q] = label[userItems[q]] | (values[q] << 24);
  else for (let q = 0; q < codes.length; q++) codes[q] = label[userItems[q]];
  return codes;
}

/** Item indexes by number of users descending (ties by index): a counting sort. */
function popularityOrder(
  itemOffsets: Uint32Array,
  itemCount: number,
  order: Uint32Array,
): Uint32Array {
  let most = 0;
  for (let i = 0; i < itemCount; i++) most = Math.max(most, itemOffsets[i + 1] - itemOffsets[i]);
  const start = new Uint32Array(most + 2);
  for (let i = 0; i < itemCount; i++) start[most - (itemOffsets[i + 1] - itemOffsets[i]) + 1]++;
  for (let d = 0; d <= most; d++) start[d + 1] += start[d];
  for (let i = 0; i < itemCount; i++)
    order[start[most - (itemOffsets[i + 1] - itemOffsets[i])]++] = i;
  return order;
}

/**
 * Can the values go in the top byte of the user codes and the dot products
 * in an Int32Array? Yes when every value is a positive integer below 256,
 * labels fit in 24 bits, and no dot product can pass 2^31 (max value² ×
 * most users of one item). Not with shrinkage, which needs co-occurrence counts.
 */
function packable(m: UserItemMatrix, itemCount: number, shrinkage: number): boolean {
  if (shrinkage > 0 || itemCount > 1 << 24) return false;
  const { userValues, itemOffsets } = m;
  let max = 0;
  for (let p = 0; p < userValues.length; p++) {
    const v = userValues[p];
    if (!(v >= 1 && v <= 255 && Number.isInteger(v))) return false;
    if (v > max) max = v;
  }
  let mostUsers = 0;
  for (let i = 0; i < itemCount; i++)
    mostUsers = Math.max(mostUsers, itemOffsets[i + 1] - itemOffsets[i]);
  return max * max * mostUsers < 2 ** 31;
}

/**
 * Joins builds of disjoint `rows` ranges over the same log (e.g. one per
 * worker thread) into the full model: each item's list comes from the part
 * that has it.
 *
 * @param shared - Allocate the result in `SharedArrayBuffer`s, so worker
 *   threads (encoding the model files) read it without a copy. Default false.
 * @example mergeNeighbours([buildNeighbours(log, { rows: [0, h] }), buildNeighbours(log, { rows: [h, n] })])
 */
export function mergeNeighbours(parts: readonly Neighbours[], shared = false): Neighbours {
  if (parts.length === 0)
    throw new LikewiseError('INVALID_INPUT', 'mergeNeighbours needs at least one part');
  const itemCount = parts[0].itemIds.length;
  for (const part of parts)
    if (part.itemIds.length !== itemCount)
      throw new LikewiseError('INVALID_INPUT', 'mergeNeighbours parts must come from the same log');
  let total = 0;
  for (const part of parts) total += part.indices.length;
  const alloc = (bytes: number) =>
    shared ? (new SharedArrayBuffer(bytes) as unknown as ArrayBuffer) : new ArrayBuffer(bytes);
  const offsets = new Uint32Array(alloc(4 * (itemCount + 1)));
  const indices = new Uint32Array(alloc(4 * total));
  const scores = new Float32Array(alloc(4 * total));
  let kept = 0;
  for (let i = 0; i < itemCount; i++) {
    offsets[i] = kept;
    for (const part of parts) {
      const a = part.offsets[i];
      const b = part.offsets[i + 1];
      if (b > a) {
        indices.set(part.indices.subarray(a, b), kept);
        scores.set(part.scores.subarray(a, b), kept);
        kept += b - a;
      }
    }
  }
  offsets[itemCount] = kept;
  return { itemIds: parts[0].itemIds, offsets, indices, scores };
}
