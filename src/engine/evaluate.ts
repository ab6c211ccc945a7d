/**
 * The offline evaluation protocol of EVAL.md (leave-last-out, full ranking)
 * as a pure function over an {@link InteractionLog}: the same split, the same
 * metrics and the same tie rules as the reference script, so figures compare.
 */
import { LikewiseError } from '../errors';
import type { EventType } from '../types';
import {
  type BuildOptions,
  buildNeighbourRows,
  DEFAULT_K,
  DEFAULT_WINDOW,
  planNeighbours,
} from './buildNeighbours';
import { idRanks } from './compareIds';
import { DEFAULT_RECENCY_HALF_LIFE, recencyWeights } from './historyWeights';
import { TopK } from './topK';
import { EVENT_TYPE_CODES, type InteractionLog, type Neighbours } from './types';
import {
  buildUserItemMatrix,
  coOccurringPairs,
  DEFAULT_MAX_ITEMS_PER_USER,
  typeWeights,
} from './userItemMatrix';
import { sequenceMatrix, userSequences, windowedPairs } from './userSequences';

/** How a model turns a user's training history into scores. */
export interface ScoreOptions {
  /**
   * History weight halves every this many steps back in the user's history
   * (see `recencyWeights`). Default Infinity (every history item counts 1).
   */
  recencyHalfLife?: number;
  /** Multiply history items by their event type's weight (`weights`). Default false. */
  typeWeighted?: boolean;
  /** The weights of `typeWeighted`; missing types take `DEFAULT_WEIGHTS`. */
  weights?: Partial<Record<EventType, number>>;
  /**
   * Ranks left over when fewer than N items have a positive score: `id`
   * (ascending item id, the reference) or `popularity` (most training users
   * first, then id). Default `id`.
   */
  fill?: 'id' | 'popularity';
}

/** One model to evaluate: neighbour build options plus scoring, or popularity. */
export type EvaluateModel =
  | { kind: 'neighbours'; build: BuildOptions; score?: ScoreOptions }
  | { kind: 'popularity' };

/** The SDK's default model: what `likewise train` + the for-you scenario do. */
export const DEFAULT_MODEL: EvaluateModel = {
  kind: 'neighbours',
  build: { k: 50, maxItemsPerUser: DEFAULT_MAX_ITEMS_PER_USER },
  score: { recencyHalfLife: DEFAULT_RECENCY_HALF_LIFE, typeWeighted: true, fill: 'popularity' },
};

/** The reference configuration of EVAL.md: binary cosine, K = 50, nothing else. */
export const REFERENCE_MODEL: EvaluateModel = {
  kind: 'neighbours',
  build: { binary: true, types: EVENT_TYPE_CODES, similarity: 'cosine', k: 50 },
  score: { fill: 'id' },
};

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  /** List length N for HR@N, NDCG@N and Coverage@N. Default 10. */
  topN?: number;
  /** Models by name. Default `{ default, reference, popularity }`. */
  models?: Record<string, EvaluateModel>;
}

/** Figures of one model. Times in milliseconds. */
export interface ModelMetrics {
  hr10: number;
  ndcg10: number;
  coverage10: number;
  buildMs: number;
  scoreMs: number;
  /**
   * Neighbour models: the co-occurring pairs of the build (the sum over
   * users of their item count squared, after the cap), so `buildMs / pairs`
   * is its cost per pair.
   */
  pairs?: number;
}

/** What {@link evaluate} returns. */
export interface Evaluation {
  /** Users evaluated (those with at least 2 distinct items). */
  users: number;
  /** Catalogue size: the items of those users. */
  items: number;
  models: Record<string, ModelMetrics>;
}

/** The leave-last-out split of a log. */
export interface Split {
  /** Training rows (one per kept pair), users re-indexed 0..users-1, item indexes as in the input. */
  train: InteractionLog;
  /** Test item of each evaluated user. */
  testItems: Uint32Array;
  /** 1 for catalogue items (items of evaluated users). */
  inCatalogue: Uint8Array;
  catalogueSize: number;
}

/**
 * Steps 1-3 of the protocol: one pair per (user, item) keeping its latest
 * event (later line on equal times), users with fewer than 2 items dropped,
 * and each user's latest pair (later line on equal times) held out.
 */
export function splitLeaveLastOut(log: InteractionLog): Split {
  const { users, items, types, times, length: n, userCount } = log;
  const itemCount = log.itemIds.length;
  const start = new Uint32Array(userCount + 1);
  for (let r = 0; r < n; r++) start[users[r] + 1]++;
  for (let u = 0; u < userCount; u++) start[u + 1] += start[u];
  const byUser = new Uint32Array(n);
  const fill = start.slice(0, userCount);
  for (let r = 0; r < n; r++) byUser[fill[users[r]]++] = r;

  const slot = new Int32Array(itemCount).fill(-1);
  const pairRow = new Uint32Array(n);
  const inCatalogue = new Uint8Array(itemCount);
  const testRows: number[] = [];
  const trainRows: number[] = [];
  const trainUsers: number[] = [];
  for (let u = 0; u < userCount; u++) {
    let np = 0;
    for (let p = start[u]; p < start[u + 1]; p++) {
      const r = byUser[p];
      const s = slot[items[r]];
      if (s < 0) {
        slot[items[r]] = np;
        pairRow[np++] = r;
      } else if (times[r] >= times[pairRow[s]]) {
        // Rows come in file order, so on equal times this is the later line.
        pairRow[s] = r;
      }
    }
    for (let s = 0; s < np; s++) slot[items[pairRow[s]]] = -1;
    if (np < 2) continue;
    let test = 0;
    for (let s = 1; s < np; s++) {
      const r = pairRow[s];
      const t = pairRow[test];
      if (times[r] > times[t] || (times[r] === times[t] && r > t)) test = s;
    }
    const evalUser = testRows.length;
    testRows.push(pairRow[test]);
    for (let s = 0; s < np; s++) {
      inCatalogue[items[pairRow[s]]] = 1;
      if (s === test) continue;
      trainRows.push(pairRow[s]);
      trainUsers.push(evalUser);
    }
  }
  // Training rows in file order, as a log of its own.
  const order = trainRows.map((_, x) => x).sort((a, b) => trainRows[a] - trainRows[b]);
  const m = order.length;
  const train: InteractionLog = {
    itemIds: log.itemIds,
    userCount: testRows.length,
    users: new Uint32Array(m),
    items: new Uint32Array(m),
    types: new Uint8Array(m),
    times: new Float64Array(m),
    length: m,
  };
  for (let x = 0; x < m; x++) {
    const r = trainRows[order[x]];
    train.users[x] = trainUsers[order[x]];
    train.items[x] = items[r];
    train.types[x] = types[r];
    train.times[x] = times[r];
  }
  const testItems = new Uint32Array(testRows.length);
  for (let u = 0; u < testRows.length; u++) testItems[u] = items[testRows[u]];
  let catalogueSize = 0;
  for (let i = 0; i < itemCount; i++) catalogueSize += inCatalogue[i];
  return { train, testItems, inCatalogue, catalogueSize };
}

/** Per user, the training pairs (CSR), for scoring. */
export interface Histories {
  offsets: Uint32Array;
  items: Uint32Array;
  times: Float64Array;
  types: Uint8Array;
}

function histories(train: InteractionLog): Histories {
  const offsets = new Uint32Array(train.userCount + 1);
  for (let r = 0; r < train.length; r++) offsets[train.users[r] + 1]++;
  for (let u = 0; u < train.userCount; u++) offsets[u + 1] += offsets[u];
  const next = offsets.slice(0, train.userCount);
  const items = new Uint32Array(train.length);
  const times = new Float64Array(train.length);
  const types = new Uint8Array(train.length);
  for (let r = 0; r < train.length; r++) {
    const q = next[train.users[r]]++;
    items[q] = train.items[r];
    times[q] = train.times[r];
    types[q] = train.types[r];
  }
  return { offsets, items, times, types };
}

/** Items by distinct training users descending, ties by id; catalogue items only. */
function popularityOrder(
  split: Split,
  h: Histories,
  rank: Uint32Array,
): { order: Uint32Array; count: Uint32Array } {
  const count = new Uint32Array(split.inCatalogue.length);
  for (let q = 0; q < h.items.length; q++) count[h.items[q]]++;
  const ids: number[] = [];
  for (let i = 0; i < split.inCatalogue.length; i++) if (split.inCatalogue[i]) ids.push(i);
  ids.sort((a, b) => count[b] - count[a] || rank[a] - rank[b]);
  return { order: Uint32Array.from(ids), count };
}

/** A neighbour build kept for other models of the same build options ({@link scoreModel}). */
export interface BuiltNeighbours {
  neighbours: Neighbours;
  pairs: number;
  /** The K it was built with. */
  k: number;
}

/** The first `k` neighbours of every item's list. */
function firstK(n: Neighbours, k: number): Neighbours {
  const offsets = new Uint32Array(n.offsets.length);
  let total = 0;
  for (let i = 0; i + 1 < n.offsets.length; i++)
    total += Math.min(k, n.offsets[i + 1] - n.offsets[i]);
  const indices = new Uint32Array(total);
  const scores = new Float32Array(total);
  let out = 0;
  for (let i = 0; i + 1 < n.offsets.length; i++) {
    offsets[i] = out;
    const a = n.offsets[i];
    const b = Math.min(n.offsets[i + 1], a + k);
    indices.set(n.indices.subarray(a, b), out);
    scores.set(n.scores.subarray(a, b), out);
    out += b - a;
  }
  offsets[n.offsets.length - 1] = out;
  return { itemIds: n.itemIds, offsets, indices, scores };
}

/**
 * A log split and indexed once, so that many models can be scored on it
 * ({@link scoreModel}): what the tuner reuses across its candidates.
 */
export interface PreparedEvaluation {
  split: Split;
  topN: number;
  /** @internal per-user training pairs */
  histories: Histories;
  rank: Uint32Array;
  idOrder: Uint32Array;
  popularOrder: Uint32Array;
}

/**
 * Steps 1-3 of the protocol and the indexes scoring needs.
 *
 * @param topN - List length N. Default 10.
 * @example const prepared = prepareEvaluation(log);
 */
export function prepareEvaluation(log: InteractionLog, topN = 10): PreparedEvaluation {
  if (!(Number.isInteger(topN) && topN >= 1))
    throw new LikewiseError(
      'INVALID_OPTION',
      `topN must be a positive integer, got ${String(topN)}`,
    );
  const split = splitLeaveLastOut(log);
  const h = histories(split.train);
  const rank = idRanks(log.itemIds);
  const byId: number[] = [];
  for (let i = 0; i < rank.length; i++) if (split.inCatalogue[i]) byId.push(i);
  byId.sort((a, b) => rank[a] - rank[b]);
  return {
    split,
    topN,
    histories: h,
    rank,
    idOrder: Uint32Array.from(byId),
    popularOrder: popularityOrder(split, h, rank).order,
  };
}

/**
 * Step 4-5 of the protocol for one model on a prepared log. With `built`
 * (a cache by build options), a model whose build options were seen before
 * reuses those neighbours (its build time is then 0).
 *
 * @param now clock in ms for the timings; default `performance.now`.
 * @example const m = scoreModel(prepareEvaluation(log), DEFAULT_MODEL);
 */
export function scoreModel(
  prepared: PreparedEvaluation,
  model: EvaluateModel,
  now: () => number = () => performance.now(),
  built?: Map<string, BuiltNeighbours>,
): ModelMetrics {
  const { split, histories: h, rank, topN } = prepared;
  const t0 = now();
  let lists: Uint32Array;
  let t1: number;
  let pairs: number | undefined;
  if (model.kind === 'popularity') {
    const order = popularityOrder(split, h, rank).order;
    t1 = now();
    lists = scoreByOrder(split, h, order, topN);
  } else {
    // The cache is keyed without K: lists are best first, so a smaller K's
    // lists are the first K of a bigger one's (same scores, same ties).
    const k = model.build.k ?? DEFAULT_K;
    const key = JSON.stringify({ ...model.build, k: undefined });
    let made = built?.get(key);
    if (!made || made.k < k) {
      // buildNeighbours' steps, so the pairs are counted on the same matrix.
      const sequences =
        model.build.similarity === 'sequence' ? userSequences(split.train, model.build) : undefined;
      const matrix = sequences
        ? sequenceMatrix(sequences, split.train.itemIds.length)
        : buildUserItemMatrix(split.train, model.build);
      const plan = planNeighbours(matrix, split.train.itemIds, model.build, false, rank, sequences);
      made = {
        neighbours: { itemIds: split.train.itemIds, ...buildNeighbourRows(plan, model.build.rows) },
        pairs: sequences
          ? windowedPairs(sequences, model.build.window ?? DEFAULT_WINDOW)
          : coOccurringPairs(matrix),
        k,
      };
      built?.set(key, made);
    }
    pairs = made.pairs;
    t1 = now();
    const fillOrder = model.score?.fill === 'popularity' ? prepared.popularOrder : prepared.idOrder;
    lists = scoreByNeighbours(
      split,
      h,
      made.k > k ? firstK(made.neighbours, k) : made.neighbours,
      rank,
      fillOrder,
      topN,
      model.score ?? {},
    );
  }
  const t2 = now();
  const out: ModelMetrics = { ...metrics(lists, split, topN), buildMs: t1 - t0, scoreMs: t2 - t1 };
  if (pairs !== undefined) out.pairs = pairs;
  return out;
}

/**
 * Runs the protocol of EVAL.md on `log` for each model and returns HR@N,
 * NDCG@N and Coverage@N (named `hr10` etc. whatever N) with build and
 * scoring times.
 *
 * @param now clock in ms for the timings; default `performance.now`.
 * @example
 * const { models } = evaluate(log);
 * console.log(models.default.hr10, models.reference.hr10);
 */
export function evaluate(
  log: InteractionLog,
  options: EvaluateOptions = {},
  now: () => number = () => performance.now(),
): Evaluation {
  const prepared = prepareEvaluation(log, options.topN ?? 10);
  const models = options.models ?? {
    default: DEFAULT_MODEL,
    reference: REFERENCE_MODEL,
    popularity: { kind: 'popularity' },
  };
  const out: Record<string, ModelMetrics> = {};
  for (const [name, model] of Object.entries(models)) out[name] = scoreModel(prepared, model, now);
  return {
    users: prepared.split.testItems.length,
    items: prepared.split.catalogueSize,
    models: out,
  };
}

/** Every user's top N from one global order, skipping their training items. */
function scoreByOrder(split: Split, h: Histories, order: Uint32Array, topN: number): Uint32Array {
  const userCount = split.testItems.length;
  const lists = new Uint32Array(userCount * topN).fill(0xffffffff);
  const seen = new Int32Array(split.inCatalogue.length).fill(-1);
  for (let u = 0; u < userCount; u++) {
    for (let q = h.offsets[u]; q < h.offsets[u + 1]; q++) seen[h.items[q]] = u;
    let got = 0;
    for (let x = 0; x < order.length && got < topN; x++) {
      if (seen[order[x]] !== u) lists[u * topN + got++] = order[x];
    }
  }
  return lists;
}

/**
 * Every user's top N from item-kNN: score(j) = sum over history items h of
 * weight(h) * sim(h, j); training items excluded; ties by id; positions left
 * when fewer than N items scored are filled from `fillOrder`.
 */
function scoreByNeighbours(
  split: Split,
  h: Histories,
  nb: Neighbours,
  rank: Uint32Array,
  fillOrder: Uint32Array,
  topN: number,
  score: ScoreOptions,
): Uint32Array {
  const userCount = split.testItems.length;
  const itemCount = split.inCatalogue.length;
  const lists = new Uint32Array(userCount * topN).fill(0xffffffff);
  const acc = new Float64Array(itemCount);
  const touched = new Uint32Array(itemCount);
  const seen = new Int32Array(itemCount).fill(-1);
  const chosen = new Int32Array(itemCount).fill(-1);
  const top = new TopK(topN, rank);
  const halfLife = score.recencyHalfLife ?? Number.POSITIVE_INFINITY;
  const typeWeight = score.typeWeighted ? typeWeights({ weights: score.weights }) : undefined;
  let maxHistory = 0;
  for (let u = 0; u < userCount; u++)
    maxHistory = Math.max(maxHistory, h.offsets[u + 1] - h.offsets[u]);
  const weights = new Float64Array(maxHistory);
  const scratch = new Uint32Array(maxHistory);
  const { offsets, indices, scores } = nb;
  for (let u = 0; u < userCount; u++) {
    const q0 = h.offsets[u];
    const len = h.offsets[u + 1] - q0;
    recencyWeights(h.times.subarray(q0, q0 + len), len, halfLife, weights, scratch);
    let nt = 0;
    for (let x = 0; x < len; x++) {
      const item = h.items[q0 + x];
      seen[item] = u;
      let w = weights[x];
      if (typeWeight) w *= typeWeight[h.types[q0 + x]] || 1;
      const p1 = offsets[item + 1];
      for (let p = offsets[item]; p < p1; p++) {
        const j = indices[p];
        const a = acc[j];
        if (a === 0) touched[nt++] = j;
        acc[j] = a + w * scores[p];
      }
    }
    top.clear();
    // Most candidates lose to the worst of the current top N: refuse them
    // with one comparison, without a call.
    let floor = 0;
    for (let t = 0; t < nt; t++) {
      const j = touched[t];
      const a = acc[j];
      acc[j] = 0;
      if (a < floor || !(a > 0) || seen[j] === u) continue;
      top.push(j, a);
      floor = top.threshold();
    }
    const got = top.sorted();
    const base = u * topN;
    for (let x = 0; x < got; x++) {
      lists[base + x] = top.items[x];
      chosen[top.items[x]] = u;
    }
    for (let x = 0, g = got; g < topN && x < fillOrder.length; x++) {
      const j = fillOrder[x];
      if (seen[j] !== u && chosen[j] !== u) lists[base + g++] = j;
    }
  }
  return lists;
}

function metrics(
  lists: Uint32Array,
  split: Split,
  topN: number,
): { hr10: number; ndcg10: number; coverage10: number } {
  const userCount = split.testItems.length;
  const shown = new Uint8Array(split.inCatalogue.length);
  let hits = 0;
  let gain = 0;
  for (let u = 0; u < userCount; u++) {
    for (let x = 0; x < topN; x++) {
      const j = lists[u * topN + x];
      if (j === 0xffffffff) break;
      shown[j] = 1;
      if (j === split.testItems[u]) {
        hits++;
        gain += 1 / Math.log2(x + 2);
      }
    }
  }
  let covered = 0;
  for (let i = 0; i < shown.length; i++) covered += shown[i];
  return {
    hr10: userCount ? hits / userCount : 0,
    ndcg10: userCount ? gain / userCount : 0,
    coverage10: split.catalogueSize ? covered / split.catalogueSize : 0,
  };
}
