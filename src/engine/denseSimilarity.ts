/**
 * Dense-algebra item similarity through ml-matrix, for a bounded block (the
 * visitor's few hundred items). Kept apart and loaded with a dynamic import
 * so nothing in the core path pulls ml-matrix into a bundle. Measured: it
 * does not beat the sparse build at these sizes (see the engine report), so
 * the SDK's default path does not use it; it stays as the cross-check and
 * for callers who already hold dense data.
 */
import { LikewiseError } from '../errors';
import { idRanks } from './compareIds';
import { TopK } from './topK';
import type { InteractionLog, Neighbours } from './types';
import { buildUserItemMatrix, type UserItemMatrixOptions } from './userItemMatrix';

/** Options of {@link denseSimilarity}. */
export interface DenseSimilarityOptions extends UserItemMatrixOptions {
  /** Neighbours kept per item. Default 20. */
  k?: number;
  /** Refuse blocks bigger than this many items (memory is items²). Default 2000. */
  maxItems?: number;
}

/**
 * Cosine similarity of every pair of items as one dense product X^T X,
 * then top-K per item (ties by id): the same lists as `buildNeighbours`
 * with `similarity: 'cosine'`.
 *
 * @example const n = await denseSimilarity(eventsToLog(events), { k: 20 });
 */
export async function denseSimilarity(
  log: InteractionLog,
  options: DenseSimilarityOptions = {},
): Promise<Neighbours> {
  const itemCount = log.itemIds.length;
  const maxItems = options.maxItems ?? 2000;
  if (itemCount > maxItems)
    throw new LikewiseError(
      'INVALID_INPUT',
      `denseSimilarity handles at most ${maxItems} items, got ${itemCount}: use buildNeighbours`,
    );
  const k = options.k ?? 20;
  const { Matrix } = await import('ml-matrix');
  const m = buildUserItemMatrix(log, options);
  const x = new Matrix(m.userCount, itemCount);
  for (let u = 0; u < m.userCount; u++)
    for (let p = m.userOffsets[u]; p < m.userOffsets[u + 1]; p++)
      x.set(u, m.userItems[p], m.userValues[p]);
  const c = x.transpose().mmul(x);
  const rank = idRanks(log.itemIds);
  const top = new TopK(k, rank);
  const offsets = new Uint32Array(itemCount + 1);
  const indices: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < itemCount; i++) {
    offsets[i] = indices.length;
    const nii = c.get(i, i);
    for (let j = 0; j < itemCount; j++) {
      const cij = c.get(i, j);
      if (j !== i && cij > 0) top.push(j, Math.fround(cij / Math.sqrt(nii * c.get(j, j))));
    }
    const n = top.sorted();
    for (let t = 0; t < n; t++) {
      indices.push(top.items[t]);
      scores.push(top.scores[t]);
    }
  }
  offsets[itemCount] = indices.length;
  return {
    itemIds: log.itemIds,
    offsets,
    indices: Uint32Array.from(indices),
    scores: Float32Array.from(scores),
  };
}
