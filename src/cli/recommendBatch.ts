/**
 * `likewise recommend` over every user of a log: the model as flat arrays
 * numbered once, each user's history read from the log's columns, and the
 * browser's scoring (`recommendWith`) replayed with integers, so a user
 * costs a few hundred additions and one output line. A user whose sessions
 * teach the on-device learning something (a session with two items) goes
 * through `recommendWith` itself: that path is the reference, and a test
 * holds both to the same lists, scores and reasons.
 */
import { compareIds, idRanks } from '../engine/compareIds';
import { DEFAULT_RECENCY_HALF_LIFE } from '../engine/historyWeights';
import type { NeighbourSource, RankedList } from '../engine/neighbourSource';
import type { ModelConfig } from '../engine/tune';
import { EVENT_TYPE_CODES } from '../engine/types';
import { DEFAULT_WEIGHTS } from '../engine/userItemMatrix';
import { FOR_YOU_ANCHORS } from '../model/createRecommender';
import type { ModelScenario } from '../model/recommendWith';
import { type LoadedModel, recommendWith } from '../model/recommendWith';
import { DEFAULT_SESSION_TIMEOUT } from '../track/createSession';
import type { LikewiseEvent } from '../types';
import type { ModelFiles } from './openModel';
import type { ReadEventsResult } from './readEvents';

/** The columns of a log the batch reads, with its users' rows grouped. */
export interface BatchLog {
  itemIds: readonly string[];
  userIds: readonly string[];
  items: Uint32Array;
  types: Uint8Array;
  times: Float64Array;
  /** User u's rows are `rows[offsets[u] .. offsets[u+1])`, in time order (file order on ties). */
  offsets: Uint32Array;
  rows: Uint32Array;
}

/** What every user of a batch is asked. */
export interface BatchRequest {
  type: ModelScenario;
  /** The item of similar / bought-together (and left out of every list). */
  item?: string;
  limit: number;
  /** NDJSON lines, else `user<TAB>ids`. */
  json: boolean;
}

/** Each user's rows (CSR), in time order, file order on equal times. */
export function groupRows(
  log: ReadEventsResult,
  shared = false,
): { offsets: Uint32Array; rows: Uint32Array } {
  const make = arrays(shared);
  const offsets = make.u32(log.userCount + 1);
  for (let r = 0; r < log.length; r++) offsets[log.users[r] + 1]++;
  for (let u = 0; u < log.userCount; u++) offsets[u + 1] += offsets[u];
  const next = offsets.slice(0, log.userCount);
  const rows = make.u32(log.length);
  for (let r = 0; r < log.length; r++) rows[next[log.users[r]]++] = r;
  for (let u = 0; u < log.userCount; u++) {
    const mine = rows.subarray(offsets[u], offsets[u + 1]);
    let sorted = true;
    for (let x = 1; x < mine.length && sorted; x++)
      if (log.times[mine[x]] < log.times[mine[x - 1]]) sorted = false;
    if (!sorted) mine.sort((a, b) => log.times[a] - log.times[b] || a - b);
  }
  return { offsets, rows };
}

/**
 * User u's events as the SDK stores them: a new session after 30 minutes
 * without events, as the tracker starts one.
 */
export function historyOf(log: BatchLog, u: number): LikewiseEvent[] {
  const events: LikewiseEvent[] = [];
  let session = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (let p = log.offsets[u]; p < log.offsets[u + 1]; p++) {
    const r = log.rows[p];
    const ts = log.times[r];
    if (ts - last > DEFAULT_SESSION_TIMEOUT) session++;
    last = ts;
    events.push({
      id: String(r),
      type: EVENT_TYPE_CODES[log.types[r]],
      ts,
      session: String(session),
      itemId: log.itemIds[log.items[r]],
    });
  }
  return events;
}

/** One kind of lists over the batch's item numbers, CSR. */
interface FlatLists {
  offsets: Uint32Array;
  indices: Int32Array;
  scores: Float32Array;
}

/**
 * The model numbered once, every id it names with an index, in arrays a
 * worker thread can share (`share`) or be sent.
 */
export interface FlatModel {
  ids: string[];
  similar: FlatLists;
  together: FlatLists;
  popularity: { ids: readonly string[]; scores: Float64Array };
  config?: ModelConfig;
}

/** Typed arrays of `length` in shared memory, or plain. */
const arrays = (shared: boolean) => ({
  u32: (n: number) =>
    new Uint32Array(shared ? new SharedArrayBuffer(4 * n) : new ArrayBuffer(4 * n)),
  i32: (n: number) =>
    new Int32Array(shared ? new SharedArrayBuffer(4 * n) : new ArrayBuffer(4 * n)),
  f32: (n: number) =>
    new Float32Array(shared ? new SharedArrayBuffer(4 * n) : new ArrayBuffer(4 * n)),
});

/**
 * The decoded model files as one table of ids and flat lists: worker
 * threads score from these without reading the files again.
 *
 * @param shared allocate the arrays in `SharedArrayBuffer`s.
 */
export function flattenModel(files: ModelFiles, shared = false): FlatModel {
  const ids: string[] = [];
  const index = new Map<string, number>();
  const number = (id: string): number => {
    let g = index.get(id);
    if (g === undefined) {
      g = ids.push(id) - 1;
      index.set(id, g);
    }
    return g;
  };
  // Owned items first, shard by shard: their lists then lie in index order.
  for (const shard of files.shards) for (let x = 0; x < shard.items; x++) number(shard.ids[x]);
  const owned = ids.length;
  const tables = files.shards.map((shard) => {
    const table = new Int32Array(shard.ids.length);
    for (let x = 0; x < table.length; x++) table[x] = number(shard.ids[x]);
    return table;
  });
  for (const id of files.popularity.ids) number(id);
  const make = arrays(shared);
  const lists = (kind: 'similar' | 'together'): FlatLists => {
    let total = 0;
    for (const shard of files.shards) total += shard[kind].indices.length;
    const offsets = make.u32(ids.length + 1);
    const indices = make.i32(total);
    const scores = make.f32(total);
    let at = 0;
    let g = 0;
    files.shards.forEach((shard, s) => {
      const l = shard[kind];
      const table = tables[s];
      for (let x = 0; x < shard.items; x++, g++) {
        offsets[g] = at;
        for (let y = l.offsets[x]; y < l.offsets[x + 1]; y++, at++) {
          indices[at] = table[l.indices[y]];
          scores[at] = l.scores[y];
        }
      }
    });
    offsets.fill(at, owned);
    return { offsets, indices, scores };
  };
  const similar = lists('similar');
  const together = lists('together');
  return {
    ids,
    similar,
    together,
    popularity: {
      ids: files.popularity.ids,
      scores: Float64Array.from(files.popularity.scores),
    },
    config: files.manifest.config,
  };
}

/** The {@link LoadedModel} of a flat model, for `recommendWith`. */
function loadedModel(flat: FlatModel, index: Map<string, number>): LoadedModel {
  const source = (lists: FlatLists): NeighbourSource => {
    const cache = new Map<number, RankedList>();
    return {
      neighbours(id) {
        const g = index.get(id);
        if (g === undefined) return undefined;
        let list = cache.get(g);
        if (!list) {
          const a = lists.offsets[g];
          const b = lists.offsets[g + 1];
          list = {
            ids: Array.from(lists.indices.subarray(a, b), (j) => flat.ids[j]),
            scores: lists.scores.subarray(a, b),
          };
          cache.set(g, list);
        }
        return list;
      },
    };
  };
  return {
    similar: source(flat.similar),
    together: source(flat.together),
    popularity: flat.popularity,
    config: flat.config,
  };
}

const code = (type: string): number => EVENT_TYPE_CODES.indexOf(type as never);

/**
 * A scorer for the users of `log`: `line(u)` is user u's output line,
 * exactly what `likewise recommend` prints for `recommendWith` over that
 * user's history (see {@link historyOf}).
 *
 * @example const { line } = batchScorer(files, log, { type: 'for-you', limit: 10, json: true });
 */
export function batchScorer(
  flat: FlatModel,
  log: BatchLog,
  request: BatchRequest,
): { line(u: number): string } {
  const index = new Map<string, number>();
  for (let g = 0; g < flat.ids.length; g++) index.set(flat.ids[g], g);
  const model = loadedModel(flat, index);
  const trending = popularityOrder(flat, index);
  const M = flat.ids.length;
  const L = log.itemIds.length;
  const toModel = Int32Array.from(log.itemIds, (id) => index.get(id) ?? -1);
  const toLog = new Int32Array(M).fill(-1);
  for (let l = 0; l < L; l++) if (toModel[l] >= 0) toLog[toModel[l]] = l;
  const modelRank = idRanks(flat.ids);
  const logRank = idRanks(log.itemIds as string[]);
  const json = flat.ids.map((id) => JSON.stringify(id));
  const { type, limit } = request;
  const banned = request.item === undefined ? -1 : (index.get(request.item) ?? -1);
  const config = flat.config;
  const typeWeight = EVENT_TYPE_CODES.map(
    (t) => (config?.weights as Record<string, number> | undefined)?.[t] ?? DEFAULT_WEIGHTS[t],
  );
  const anchorWeight = EVENT_TYPE_CODES.map((t) => DEFAULT_WEIGHTS[t]);
  const half = config?.recencyHalfLife ?? DEFAULT_RECENCY_HALF_LIFE;
  const rate = half < Number.POSITIVE_INFINITY ? Math.LN2 / half : 0;
  const [ADD, REMOVE, PURCHASE, DISMISS] = [
    'add_to_cart',
    'remove_from_cart',
    'purchase',
    'dismiss',
  ].map(code);
  const lists = type === 'bought-together' ? flat.together : flat.similar;

  // Marks by log item: the query that last put the item in a set.
  let q = 0;
  const seenAt = new Int32Array(L);
  const cartAt = new Int32Array(L);
  const boughtAt = new Int32Array(L);
  const dismissedAt = new Int32Array(L);
  const anchorAt = new Int32Array(L);
  const lastTs = new Float64Array(L);
  const weightOf = new Float64Array(L);
  const typeOf = new Uint8Array(L);
  // By model item: the sums.
  const touched = new Int32Array(M);
  const sum = new Float64Array(M);
  const best = new Float64Array(M);
  const from = new Int32Array(M);
  const taken = new Int32Array(M);
  let candidates = new Int32Array(1024);
  let history = new Int32Array(64);
  // One entry per contributing anchor: its log item and weight.
  const anchorItem = new Int32Array(64);
  const anchorW = new Float64Array(64);
  const outItem = new Int32Array(50);
  const outScore = new Float64Array(50);
  const outFrom = new Int32Array(50);

  const excluded = (j: number): boolean => {
    if (j === banned) return true;
    const l = toLog[j];
    return (
      l >= 0 && (seenAt[l] === q || cartAt[l] === q || dismissedAt[l] === q || boughtAt[l] === q)
    );
  };

  /** True when some session of u has two distinct items: on-device learning applies. */
  const learns = (u: number): boolean => {
    let last = Number.NEGATIVE_INFINITY;
    let first = -1;
    for (let p = log.offsets[u]; p < log.offsets[u + 1]; p++) {
      const r = log.rows[p];
      const ts = log.times[r];
      if (ts - last > DEFAULT_SESSION_TIMEOUT) first = log.items[r];
      else if (log.items[r] !== first) return true;
      last = ts;
    }
    return false;
  };

  const line = (u: number): string => {
    const user = log.userIds[u];
    if (type !== 'bought-together' && learns(u)) return fallback(u);
    if (++q > 2e9) {
      for (const a of [seenAt, cartAt, boughtAt, dismissedAt, anchorAt, touched, taken]) a.fill(0);
      q = 1;
    }
    const a0 = log.offsets[u];
    const a1 = log.offsets[u + 1];
    // The visitor's state, in time order (visitorState).
    for (let p = a0; p < a1; p++) {
      const r = log.rows[p];
      const t = log.types[r];
      const l = log.items[r];
      if (t === ADD) cartAt[l] = q;
      else if (t === REMOVE) cartAt[l] = 0;
      else if (t === PURCHASE) {
        boughtAt[l] = q;
        cartAt[l] = 0;
      } else if (t === DISMISS) dismissedAt[l] = q;
    }
    // The anchors: their log items, weights and order.
    let anchors = 0;
    if (type === 'for-you') {
      // for-you's anchors (historyIds): the latest distinct items of weighted types.
      for (let p = a1, n = 0; p-- > a0 && n < FOR_YOU_ANCHORS; ) {
        const r = log.rows[p];
        if (!anchorWeight[log.types[r]]) continue;
        const l = log.items[r];
        if (anchorAt[l] !== q) {
          anchorAt[l] = q;
          n++;
        }
      }
      // The history (forYou): distinct items, latest first, each with its
      // latest time and strongest type (the earliest such event's on a tie).
      let h = 0;
      for (let p = a1; p-- > a0; ) {
        const r = log.rows[p];
        const t = log.types[r];
        const w = typeWeight[t];
        if (!(w > 0)) continue;
        const l = log.items[r];
        if (seenAt[l] !== q) {
          seenAt[l] = q;
          lastTs[l] = Number.NEGATIVE_INFINITY;
          weightOf[l] = 0;
          if (h === history.length) {
            const grown = new Int32Array(2 * h);
            grown.set(history);
            history = grown;
          }
          history[h++] = l;
        }
        lastTs[l] = Math.max(lastTs[l], log.times[r]);
        if (w >= weightOf[l]) {
          weightOf[l] = w;
          typeOf[l] = t;
        }
      }
      const items = history.subarray(0, h);
      items.sort((x, y) => lastTs[y] - lastTs[x] || logRank[x] - logRank[y]);
      let step = 0;
      for (let x = 0; x < Math.min(h, 50); x++) {
        const l = items[x];
        if (x > 0 && lastTs[l] !== lastTs[items[x - 1]]) step = x;
        // Only the anchors' shop lists are read, as in the browser.
        if (anchorAt[l] !== q || toModel[l] < 0) continue;
        anchorItem[anchors] = l;
        anchorW[anchors++] = Math.exp(-rate * step) * weightOf[l];
      }
    } else if (request.item !== undefined) {
      const g = index.get(request.item);
      if (g !== undefined) {
        anchorItem[anchors] = -1 - g;
        anchorW[anchors++] = 1;
      }
    } else {
      // bought-together with the cart: the cart's items, by id.
      const cart: number[] = [];
      for (let p = a0; p < a1; p++) {
        const l = log.items[log.rows[p]];
        if (cartAt[l] === q && seenAt[l] !== q) {
          seenAt[l] = q;
          cart.push(l);
        }
      }
      cart.sort((x, y) => logRank[x] - logRank[y]);
      for (const l of cart) {
        if (toModel[l] < 0) continue;
        if (anchors === anchorItem.length) break;
        anchorItem[anchors] = l;
        anchorW[anchors++] = 1;
      }
    }
    // The sums (Scratch.sum), the biggest contributor first by anchor order.
    let n = 0;
    for (let a = 0; a < anchors; a++) {
      const l = anchorItem[a];
      const g = l < 0 ? -1 - l : toModel[l];
      const w = anchorW[a];
      for (let y = lists.offsets[g]; y < lists.offsets[g + 1]; y++) {
        const c = w * lists.scores[y];
        if (!(c > 0)) continue;
        const j = lists.indices[y];
        if (touched[j] !== q) {
          touched[j] = q;
          sum[j] = c;
          best[j] = c;
          from[j] = a;
          if (n === candidates.length) {
            const grown = new Int32Array(2 * n);
            grown.set(candidates);
            candidates = grown;
          }
          candidates[n++] = j;
        } else {
          sum[j] += c;
          if (
            c > best[j] ||
            (c === best[j] && rankOf(anchorItem[a]) < rankOf(anchorItem[from[j]]))
          ) {
            best[j] = c;
            from[j] = a;
          }
        }
      }
    }
    // The best `limit` admitted candidates, by score then id.
    let k = 0;
    for (let x = 0; x < n; x++) {
      const j = candidates[x];
      if (excluded(j)) continue;
      const s = sum[j];
      if (
        k === limit &&
        !(
          s > outScore[k - 1] ||
          (s === outScore[k - 1] && modelRank[j] < modelRank[outItem[k - 1]])
        )
      )
        continue;
      let i = Math.min(k, limit - 1);
      for (
        ;
        i > 0 &&
        (s > outScore[i - 1] ||
          (s === outScore[i - 1] && modelRank[j] < modelRank[outItem[i - 1]]));
        i--
      ) {
        outItem[i] = outItem[i - 1];
        outScore[i] = outScore[i - 1];
        outFrom[i] = outFrom[i - 1];
      }
      outItem[i] = j;
      outScore[i] = s;
      outFrom[i] = from[j];
      if (k < limit) k++;
    }
    for (let x = 0; x < k; x++) taken[outItem[x]] = q;
    // Filled up from popularity, each below the last.
    let scale = (k ? outScore[k - 1] : 1) / 2;
    for (let x = 0; k < limit && x < trending.length; x++) {
      const j = trending[x];
      if (taken[j] === q || excluded(j)) continue;
      taken[j] = q;
      outItem[k] = j;
      outScore[k] = scale;
      outFrom[k++] = -1;
      scale /= 2;
    }
    if (!request.json) {
      let text = `${user}\t`;
      for (let x = 0; x < k; x++) text += x ? ` ${flat.ids[outItem[x]]}` : flat.ids[outItem[x]];
      return `${text}\n`;
    }
    let text = `{"user":${JSON.stringify(user)},"items":[`;
    for (let x = 0; x < k; x++) {
      const a = outFrom[x];
      text += `${x ? ',' : ''}{"id":${json[outItem[x]]},"score":${outScore[x]},"reason":`;
      if (a < 0) text += '{"kind":"trending"}}';
      else {
        const l = anchorItem[a];
        const id = json[l < 0 ? -1 - l : toModel[l]];
        if (type === 'for-you')
          text += `{"kind":"history","itemId":${id},"via":"${EVENT_TYPE_CODES[typeOf[l]]}"}}`;
        else text += `{"kind":"${type === 'similar' ? 'similar' : 'together'}","itemId":${id}}}`;
      }
    }
    return `${text}]}\n`;
  };

  /** compareIds order of an anchor (a log item, or -1 - model item). */
  const rankOf = (l: number): number => (l < 0 ? -1 : logRank[l]);

  const fallback = (u: number): string => {
    const items = recommendWith(model, {
      type,
      itemId: request.item,
      limit,
      events: historyOf(log, u),
    });
    const user = log.userIds[u];
    if (request.json)
      return `${JSON.stringify({ user, items: items.map(({ id, score, reason }) => ({ id, score, reason })) })}\n`;
    return `${user}\t${items.map((s) => s.id).join(' ')}\n`;
  };

  return { line };
}

/** Popularity's items (as numbers) in the order a fill takes them: score, then id. */
function popularityOrder(flat: FlatModel, index: Map<string, number>): Int32Array {
  const { ids, scores } = flat.popularity;
  const order = Array.from(ids.keys()).filter((x) => scores[x] > 0);
  order.sort((a, b) => scores[b] - scores[a] || compareIds(ids[a], ids[b]));
  return Int32Array.from(order, (x) => index.get(ids[x])!);
}
