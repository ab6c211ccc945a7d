/**
 * Item-item similarity with top-K neighbours, built row by row (Gustavson):
 * for each item i, for each user u of i, for each item j of u, accumulate
 * into a dense accumulator reused across rows. Memory grows with the kept
 * pairs, never with items squared; nothing is allocated per pair.
 */
import { LikewiseError } from '../errors';
import { idRanks } from './compareIds';
import { TopK } from './topK';
import type { InteractionLog, Neighbours } from './types';
import { buildUserItemMatrix, type UserItemMatrixOptions } from './userItemMatrix';

/** The item-item similarity measures. */
export type Similarity = 'cosine' | 'jaccard' | 'conditional';

/** Options of {@link buildNeighbours}. */
export interface BuildOptions extends UserItemMatrixOptions {
  /**
   * `cosine` (default): c_ij / (|i|^(2·alpha) · |j|^(2·(1-alpha))) with |x| the
   * norm of the item's user vector (c = dot product; on binary data |x|² is the
   * number of users and this is c_ij / sqrt(n_i · n_j) at alpha 0.5).
   * `jaccard`: c_ij / (|i|² + |j|² - c_ij). `conditional`: c_ij / (|i|² · |j|^(2·alpha)),
   * P(j | i) damped for popular j (Deshpande & Karypis).
   */
  similarity?: Similarity;
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

/** The neighbourhood size used when `k` is not given. */
export const DEFAULT_K = 50;

function checkOptions(options: BuildOptions, itemCount: number): void {
  const { similarity, alpha, shrinkage, k, rows } = options;
  if (
    similarity !== undefined &&
    similarity !== 'cosine' &&
    similarity !== 'jaccard' &&
    similarity !== 'conditional'
  )
    throw new LikewiseError(
      'INVALID_OPTION',
      `similarity must be 'cosine', 'jaccard' or 'conditional', got ${String(similarity)}`,
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
 * Builds the top-K neighbour lists of every item (or of `options.rows`).
 * Lists are sorted by score descending, ties by item id ascending
 * ({@link compareIds}); an item is never its own neighbour. `itemIds` of the
 * result is `log.itemIds` itself (not copied).
 *
 * @param log interactions, e.g. from `readEvents` or {@link eventsToLog}.
 * @param options similarity, neighbourhood size and interaction weighting;
 *   defaults: cosine, K = 50, type weights view 1 / click 2 / add_to_cart 4 /
 *   purchase 8, no shrinkage, no recency decay.
 * @example
 * const n = buildNeighbours(log, { k: 100 });
 * const source = neighbourSource(n);
 */
export function buildNeighbours(log: InteractionLog, options: BuildOptions = {}): Neighbours {
  const itemCount = log.itemIds.length;
  checkOptions(options, itemCount);
  const m = buildUserItemMatrix(log, options);
  const similarity = options.similarity ?? 'cosine';
  const alpha = options.alpha ?? (similarity === 'conditional' ? 0 : 0.5);
  const shrinkage = options.shrinkage ?? 0;
  const k = options.k ?? DEFAULT_K;
  const [start, end] = options.rows ?? [0, itemCount];
  const binary = options.binary === true;
  const rank = idRanks(log.itemIds);

  const { itemOffsets, itemUsers, itemValues, userOffsets, userItems, userValues } = m;
  // Squared norm of every item's user vector (the user count on binary data).
  const sq = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    let s = 0;
    for (let p = itemOffsets[i]; p < itemOffsets[i + 1]; p++) s += itemValues[p] * itemValues[p];
    sq[i] = s;
  }
  // Per-item factor of the denominator, computed once instead of per pair.
  const rowPow = new Float64Array(itemCount);
  const colPow = new Float64Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    if (similarity === 'cosine') {
      rowPow[i] = sq[i] ** alpha;
      colPow[i] = sq[i] ** (1 - alpha);
    } else if (similarity === 'conditional') {
      rowPow[i] = sq[i];
      colPow[i] = sq[i] ** alpha;
    }
  }

  // Weighted dot products, and co-occurrence counts (users with both items:
  // the binary dot product, the shrinkage support, and the first-touch test).
  const acc = new Float64Array(binary ? 0 : itemCount);
  const hits = new Int32Array(itemCount);
  // One spare slot: the branch-free loop writes one past the last kept entry.
  const touched = new Uint32Array(itemCount + 1);
  const top = new TopK(k, rank);
  const offsets = new Uint32Array(itemCount + 1);
  let indices = new Uint32Array(Math.min(1 << 16, (end - start) * k) || 1);
  let scores = new Float32Array(indices.length);
  let kept = 0;

  for (let i = 0; i < itemCount; i++) {
    offsets[i] = kept;
    if (i < start || i >= end) continue;
    let nt = 0;
    const p1 = itemOffsets[i + 1];
    // The hot loop. `touched` records each j once, branch-free: the store is
    // kept only when the count was 0 ((h - 1) >>> 31 is 1 exactly then).
    if (binary) {
      for (let p = itemOffsets[i]; p < p1; p++) {
        const u = itemUsers[p];
        const q1 = userOffsets[u + 1];
        for (let q = userOffsets[u]; q < q1; q++) {
          const j = userItems[q];
          const h = hits[j];
          hits[j] = h + 1;
          touched[nt] = j;
          nt += (h - 1) >>> 31;
        }
      }
    } else {
      for (let p = itemOffsets[i]; p < p1; p++) {
        const u = itemUsers[p];
        const w = itemValues[p];
        const q1 = userOffsets[u + 1];
        for (let q = userOffsets[u]; q < q1; q++) {
          const j = userItems[q];
          const h = hits[j];
          hits[j] = h + 1;
          acc[j] += w * userValues[q];
          touched[nt] = j;
          nt += (h - 1) >>> 31;
        }
      }
    }
    const ri = rowPow[i];
    const sqi = sq[i];
    let floor = Number.NEGATIVE_INFINITY;
    for (let t = 0; t < nt; t++) {
      const j = touched[t];
      const n = hits[j];
      hits[j] = 0;
      let c = n;
      if (!binary) {
        c = acc[j];
        acc[j] = 0;
      }
      if (j === i) continue;
      let s: number;
      if (similarity === 'jaccard') s = c / (sqi + sq[j] - c);
      else s = c / (ri * colPow[j]);
      if (shrinkage > 0) s *= n / (n + shrinkage);
      // Rounded to the stored precision first, so stored ties are ordered by id.
      s = Math.fround(s);
      // Most candidates lose to the worst kept one: reject them without a call.
      if (s < floor) continue;
      top.push(j, s);
      floor = top.threshold();
    }
    const n = top.sorted();
    if (kept + n > indices.length) {
      const size = Math.max(indices.length * 2, kept + n);
      const ni = new Uint32Array(size);
      ni.set(indices.subarray(0, kept));
      const ns = new Float32Array(size);
      ns.set(scores.subarray(0, kept));
      indices = ni;
      scores = ns;
    }
    for (let x = 0; x < n; x++) {
      indices[kept + x] = top.items[x];
      scores[kept + x] = top.scores[x];
    }
    kept += n;
  }
  offsets[itemCount] = kept;
  return {
    itemIds: log.itemIds,
    offsets,
    indices: indices.slice(0, kept),
    scores: scores.slice(0, kept),
  };
}

/**
 * Joins builds of disjoint `rows` ranges over the same log (e.g. one per
 * worker thread) into the full model: each item's list comes from the part
 * that has it.
 *
 * @example mergeNeighbours([buildNeighbours(log, { rows: [0, h] }), buildNeighbours(log, { rows: [h, n] })])
 */
export function mergeNeighbours(parts: readonly Neighbours[]): Neighbours {
  if (parts.length === 0)
    throw new LikewiseError('INVALID_INPUT', 'mergeNeighbours needs at least one part');
  const itemCount = parts[0].itemIds.length;
  for (const part of parts)
    if (part.itemIds.length !== itemCount)
      throw new LikewiseError('INVALID_INPUT', 'mergeNeighbours parts must come from the same log');
  let total = 0;
  for (const part of parts) total += part.indices.length;
  const offsets = new Uint32Array(itemCount + 1);
  const indices = new Uint32Array(total);
  const scores = new Float32Array(total);
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
