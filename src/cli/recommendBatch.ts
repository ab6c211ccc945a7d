/**
 * `likewise recommend` over every user of a log: the model as flat arrays
 * numbered once, each user's history read from the log's columns, and the
 * browser's scoring (`recommendWith`: for-you, similar, bought-together,
 * the on-device learning from the user's sessions and its blend, the
 * rules, the fill from popularity) replayed with integers, so a user costs
 * a few hundred additions and one output line. `recommendWith` is the
 * reference: a test holds both to the same lists, scores and reasons for
 * users who learn and users who do not.
 */
import { compareIds, idRanks } from '../engine/compareIds';
import { DEFAULT_RECENCY_HALF_LIFE } from '../engine/historyWeights';
import { DEFAULT_LOCAL_K, LOCAL_PRIOR } from '../engine/localNeighbourSource';
import { DEFAULT_LOCAL_WEIGHT } from '../engine/neighbourSource';
import type { ModelConfig } from '../engine/tune';
import { EVENT_TYPE_CODES } from '../engine/types';
import { DEFAULT_WEIGHTS } from '../engine/userItemMatrix';
import { FOR_YOU_ANCHORS } from '../model/anchorIds';
import type { ModelScenario } from '../model/recommendWith';
import { DEFAULT_SESSION_TIMEOUT } from '../track/createSession';
import { createByteWriter, putAscii, putBytes, utf8Bytes } from './createByteWriter';
import type { ModelFiles } from './openModel';
import type { ReadEventsResult } from './readEvents';

/**
 * The columns of a log the batch reads, grouped by user: user u's events
 * are `[offsets[u], offsets[u+1])` of `items`, `types` and `times`, in time
 * order (file order on equal times), so a user's history is read in one
 * sweep of memory.
 */
export interface BatchLog {
  itemIds: readonly string[];
  userIds: readonly string[];
  offsets: Uint32Array;
  items: Uint32Array;
  types: Uint8Array;
  times: Float64Array;
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

/**
 * The log's columns grouped by user (CSR), each user's events in time
 * order, file order on equal times (see {@link BatchLog}).
 *
 * @param shared allocate the arrays in `SharedArrayBuffer`s.
 */
export function groupRows(log: ReadEventsResult, shared = false): BatchLog {
  const make = arrays(shared);
  const U = log.userCount;
  const offsets = make.u32(U + 1);
  for (let r = 0; r < log.length; r++) offsets[log.users[r] + 1]++;
  for (let u = 0; u < U; u++) offsets[u + 1] += offsets[u];
  const next = offsets.slice(0, U);
  const rows = new Uint32Array(log.length);
  for (let r = 0; r < log.length; r++) rows[next[log.users[r]]++] = r;
  const times = log.times;
  for (let u = 0; u < U; u++) {
    const mine = rows.subarray(offsets[u], offsets[u + 1]);
    let sorted = true;
    for (let x = 1; x < mine.length && sorted; x++)
      if (times[mine[x]] < times[mine[x - 1]]) sorted = false;
    if (!sorted) mine.sort((a, b) => times[a] - times[b] || a - b);
  }
  const items = make.u32(log.length);
  const types = make.u8(log.length);
  const grouped = make.f64(log.length);
  for (let p = 0; p < rows.length; p++) {
    const r = rows[p];
    items[p] = log.items[r];
    types[p] = log.types[r];
    grouped[p] = times[r];
  }
  return { itemIds: log.itemIds, userIds: log.userIds, offsets, items, types, times: grouped };
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
  f64: (n: number) =>
    new Float64Array(shared ? new SharedArrayBuffer(8 * n) : new ArrayBuffer(8 * n)),
  u8: (n: number) => new Uint8Array(shared ? new SharedArrayBuffer(n) : new ArrayBuffer(n)),
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
  // Owned items first: their lists then lie in index order.
  for (const id of files.lists.keys()) number(id);
  const owned = ids.length;
  for (const l of files.lists.values()) for (const list of l) for (const id of list.ids) number(id);
  for (const id of files.popularity.ids) number(id);
  const make = arrays(shared);
  const lists = (k: 0 | 1): FlatLists => {
    let total = 0;
    for (const l of files.lists.values()) total += l[k].ids.length;
    const offsets = make.u32(ids.length + 1);
    const indices = make.i32(total);
    const scores = make.f32(total);
    let at = 0;
    let g = 0;
    for (const l of files.lists.values()) {
      offsets[g++] = at;
      const list = l[k];
      for (let y = 0; y < list.ids.length; y++, at++) {
        indices[at] = index.get(list.ids[y])!;
        scores[at] = list.scores[y];
      }
    }
    offsets.fill(at, owned);
    return { offsets, indices, scores };
  };
  const similar = lists(0);
  const together = lists(1);
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

const code = (type: string): number => EVENT_TYPE_CODES.indexOf(type as never);

/**
 * A scorer for the users of `log`: `lines(from, to)` is the output of
 * users `from` to `to` - 1 as UTF-8, one line each, exactly what `likewise
 * recommend` prints for `recommendWith` over each user's history.
 *
 * @example const { lines } = batchScorer(flat, groupRows(log), { type: 'for-you', limit: 10, json: true }); process.stdout.write(lines(0, 1000));
 */
export function batchScorer(
  flat: FlatModel,
  log: BatchLog,
  request: BatchRequest,
): { lines(from: number, to: number): Uint8Array<ArrayBuffer> } {
  const index = new Map<string, number>();
  for (let g = 0; g < flat.ids.length; g++) index.set(flat.ids[g], g);
  const trending = popularityOrder(flat, index);
  const M = flat.ids.length;
  const L = log.itemIds.length;
  const toModel = Int32Array.from(log.itemIds, (id) => index.get(id) ?? -1);
  // Candidates: the model's items, then the log's items it does not know
  // (a visitor's own co-views can name those).
  const extra: number[] = [];
  const candOf = Int32Array.from(toModel, (g, l) => (g >= 0 ? g : M + extra.push(l) - 1));
  const C = M + extra.length;
  const logOf = new Int32Array(C).fill(-1);
  for (let l = 0; l < L; l++) logOf[candOf[l]] = l;
  const rank = idRanks([...flat.ids, ...extra.map((l) => log.itemIds[l])]);
  const logRank = idRanks(log.itemIds as string[]);
  const { type, limit } = request;
  const itemLog = request.item === undefined ? -1 : log.itemIds.indexOf(request.item);
  const itemModel = request.item === undefined ? -1 : (index.get(request.item) ?? -1);
  const banned = itemModel >= 0 ? itemModel : itemLog >= 0 ? candOf[itemLog] : -1;
  const itemJson = JSON.stringify(request.item);
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
  const learning = type !== 'bought-together';

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
  // By candidate: the sums.
  const touched = new Int32Array(C);
  const sum = new Float64Array(C);
  const best = new Float64Array(C);
  const from = new Int32Array(C);
  const taken = new Int32Array(C);
  let candidates = new Int32Array(1024);
  let n = 0;
  let history = new Int32Array(64);
  // Per contributing anchor: its log item (for-you, the cart) and its
  // compareIds rank.
  const anchorItem = new Int32Array(64);
  const anchorRank = new Float64Array(64);
  const outItem = new Int32Array(50);
  const outScore = new Float64Array(50);
  const outFrom = new Int32Array(50);
  // On-device learning (localNeighbourSource + blendSources), by log item
  // and by candidate, marked per list.
  let lq = 0;
  let sessionMark = 0;
  const inSession = new Int32Array(L);
  const countAt = new Int32Array(L);
  const count = new Int32Array(L);
  const mergedAt = new Int32Array(C);
  const merged = new Float64Array(C);
  let sessions = new Int32Array(64);
  let sessionItems = new Int32Array(256);
  let sessionCount = 0;
  let counted = new Int32Array(64);
  let mergedItems = new Int32Array(256);

  const excluded = (j: number): boolean => {
    if (j === banned) return true;
    const l = logOf[j];
    return (
      l >= 0 && (seenAt[l] === q || cartAt[l] === q || dismissedAt[l] === q || boughtAt[l] === q)
    );
  };

  /** Adds `c` to candidate j's sum from anchor a (Scratch.sum). */
  const add = (j: number, c: number, a: number): void => {
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
      if (c > best[j] || (c === best[j] && anchorRank[a] < anchorRank[from[j]])) {
        best[j] = c;
        from[j] = a;
      }
    }
  };

  /**
   * User u's sessions (a new one after 30 minutes, as the tracker starts
   * them), each as its distinct items; false when none has two, when
   * on-device learning has nothing to add.
   */
  const readSessions = (u: number): boolean => {
    let last = Number.NEGATIVE_INFINITY;
    let at = 0;
    let pairs = false;
    sessionCount = 0;
    for (let p = log.offsets[u]; p < log.offsets[u + 1]; p++) {
      const ts = log.times[p];
      if (ts - last > DEFAULT_SESSION_TIMEOUT) {
        if (sessionCount + 2 > sessions.length) sessions = grow(sessions);
        sessions[sessionCount++] = at;
        sessions[sessionCount] = at;
        sessionMark++;
      }
      last = ts;
      const l = log.items[p];
      if (inSession[l] === sessionMark) continue;
      inSession[l] = sessionMark;
      if (at === sessionItems.length) sessionItems = grow(sessionItems);
      sessionItems[at++] = l;
      sessions[sessionCount] = at;
      if (at - sessions[sessionCount - 1] > 1) pairs = true;
    }
    return pairs;
  };

  /**
   * Log item i's local list in `counted` (its first `k` entries): the items
   * met in the most sessions with i, ties by id (localNeighbourSource).
   */
  const localList = (i: number): number => {
    lq++;
    let m = 0;
    for (let s = 0; s < sessionCount; s++) {
      const s0 = sessions[s];
      const s1 = sessions[s + 1];
      let has = false;
      for (let x = s0; x < s1 && !has; x++) has = sessionItems[x] === i;
      if (!has) continue;
      for (let x = s0; x < s1; x++) {
        const j = sessionItems[x];
        if (j === i) continue;
        if (countAt[j] !== lq) {
          countAt[j] = lq;
          count[j] = 1;
          if (m === counted.length) counted = grow(counted);
          counted[m++] = j;
        } else count[j]++;
      }
    }
    const kept = counted.subarray(0, m);
    if (m > 1) kept.sort((x, y) => count[y] - count[x] || logRank[x] - logRank[y]);
    return Math.min(m, DEFAULT_LOCAL_K);
  };

  /**
   * Adds anchor a's list, weighted `w`: the shop's list of model item g
   * (-1: none) blended with log item i's local list (-1: none) as
   * blendSources blends them, without `self`.
   */
  const addAnchor = (a: number, w: number, g: number, i: number, self: number): void => {
    const y0 = g < 0 ? 0 : lists.offsets[g];
    const y1 = g < 0 ? 0 : lists.offsets[g + 1];
    const k = i < 0 ? 0 : localList(i);
    if (k === 0) {
      for (let y = y0; y < y1; y++) {
        const c = w * lists.scores[y];
        if (c > 0) add(lists.indices[y], c, a);
      }
      return;
    }
    lq++;
    let m = 0;
    if (mergedItems.length < y1 - y0 + k) mergedItems = new Int32Array(2 * (y1 - y0 + k));
    for (let y = y0; y < y1; y++) {
      const j = lists.indices[y];
      // (merged.get(id) ?? 0) + 1 * score, as the blend sums.
      merged[j] = (mergedAt[j] === lq ? merged[j] : 0) + lists.scores[y];
      if (mergedAt[j] !== lq) {
        mergedAt[j] = lq;
        mergedItems[m++] = j;
      }
    }
    // In the shop's units: its best score (1 when it has no list).
    const local = DEFAULT_LOCAL_WEIGHT * ((y1 > y0 ? lists.scores[y0] : 0) || 1);
    for (let x = 0; x < k; x++) {
      const l = counted[x];
      const j = candOf[l];
      const c = count[l];
      merged[j] = (mergedAt[j] === lq ? merged[j] : 0) + local * (c / (c + LOCAL_PRIOR));
      if (mergedAt[j] !== lq) {
        mergedAt[j] = lq;
        mergedItems[m++] = j;
      }
    }
    if (self >= 0) mergedAt[self] = 0;
    for (let x = 0; x < m; x++) {
      const j = mergedItems[x];
      if (mergedAt[j] !== lq) continue;
      const c = w * merged[j];
      if (c > 0) add(j, c, a);
    }
  };

  /** User u's list in `outItem`, `outScore` and `outFrom` (its anchor, -1: the fill); returns its length. */
  const score = (u: number): number => {
    if (++q > 2e9) {
      for (const a of [seenAt, cartAt, boughtAt, dismissedAt, anchorAt, touched, taken]) a.fill(0);
      q = 1;
    }
    const learns = learning && readSessions(u);
    const a0 = log.offsets[u];
    const a1 = log.offsets[u + 1];
    // The visitor's state, in time order (visitorState).
    for (let p = a0; p < a1; p++) {
      const t = log.types[p];
      const l = log.items[p];
      if (t === ADD) cartAt[l] = q;
      else if (t === REMOVE) cartAt[l] = 0;
      else if (t === PURCHASE) {
        boughtAt[l] = q;
        cartAt[l] = 0;
      } else if (t === DISMISS) dismissedAt[l] = q;
    }
    n = 0;
    let anchors = 0;
    if (type === 'for-you') {
      // for-you's anchors (historyIds): the latest distinct items of weighted types.
      for (let p = a1, c = 0; p-- > a0 && c < FOR_YOU_ANCHORS; ) {
        if (!anchorWeight[log.types[p]]) continue;
        const l = log.items[p];
        if (anchorAt[l] !== q) {
          anchorAt[l] = q;
          c++;
        }
      }
      // The history (forYou): distinct items, latest first, each with its
      // latest time and strongest type (the earliest such event's on a tie).
      let h = 0;
      for (let p = a1; p-- > a0; ) {
        const t = log.types[p];
        const w = typeWeight[t];
        if (!(w > 0)) continue;
        const l = log.items[p];
        if (seenAt[l] !== q) {
          seenAt[l] = q;
          lastTs[l] = Number.NEGATIVE_INFINITY;
          weightOf[l] = 0;
          if (h === history.length) history = grow(history);
          history[h++] = l;
        }
        lastTs[l] = Math.max(lastTs[l], log.times[p]);
        if (w >= weightOf[l]) {
          weightOf[l] = w;
          typeOf[l] = t;
        }
      }
      // Rows are in time order, so the items came latest first already:
      // only runs of equal times need their order by id (the first 50 read).
      const items = history;
      for (let x = 1; x < h && x < 50; x++) {
        if (lastTs[items[x]] !== lastTs[items[x - 1]]) continue;
        let y = x + 1;
        while (y < h && lastTs[items[y]] === lastTs[items[x]]) y++;
        for (let z = x - 1; z < y; z++) {
          const l = items[z];
          let v = z;
          for (; v > x - 1 && logRank[items[v - 1]] > logRank[l]; v--) items[v] = items[v - 1];
          items[v] = l;
        }
        x = y - 1;
      }
      let step = 0;
      for (let x = 0; x < Math.min(h, 50); x++) {
        const l = items[x];
        if (x > 0 && lastTs[l] !== lastTs[items[x - 1]]) step = x;
        // Only the anchors' shop lists are read, as in the browser; every
        // history item's own co-views are.
        const g = anchorAt[l] === q ? toModel[l] : -1;
        if (g < 0 && !learns) continue;
        anchorItem[anchors] = l;
        anchorRank[anchors] = logRank[l];
        addAnchor(anchors, Math.exp(-rate * step) * weightOf[l], g, learns ? l : -1, candOf[l]);
        anchors++;
      }
    } else if (request.item !== undefined) {
      anchorItem[0] = itemLog;
      anchorRank[0] = 0;
      addAnchor(0, 1, itemModel, learns ? itemLog : -1, banned);
      anchors = 1;
    } else {
      // bought-together with the cart: the cart's items, by id.
      const cart: number[] = [];
      for (let p = a0; p < a1; p++) {
        const l = log.items[p];
        if (cartAt[l] === q && seenAt[l] !== q) {
          seenAt[l] = q;
          cart.push(l);
        }
      }
      cart.sort((x, y) => logRank[x] - logRank[y]);
      for (const l of cart) {
        if (toModel[l] < 0 || anchors === anchorItem.length) continue;
        anchorItem[anchors] = l;
        anchorRank[anchors] = logRank[l];
        addAnchor(anchors++, 1, toModel[l], -1, -1);
      }
    }
    // The best `limit` admitted candidates, by score then id. The rank test
    // comes first: most candidates fall below the list, and the exclusions
    // (four reads by log item) are then asked only of the few that enter.
    let k = 0;
    for (let x = 0; x < n; x++) {
      const j = candidates[x];
      const s = sum[j];
      if (
        k === limit &&
        !(s > outScore[k - 1] || (s === outScore[k - 1] && rank[j] < rank[outItem[k - 1]]))
      )
        continue;
      if (excluded(j)) continue;
      let i = Math.min(k, limit - 1);
      for (
        ;
        i > 0 && (s > outScore[i - 1] || (s === outScore[i - 1] && rank[j] < rank[outItem[i - 1]]));
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
    return k;
  };

  // Output bytes: each candidate's id (as a JSON string, or as it is for
  // text lines) and the fixed parts of the lines, encoded once.
  const idBytes = encodeAll(C, (j) => {
    const id = j < M ? flat.ids[j] : log.itemIds[logOf[j]];
    return request.json ? JSON.stringify(id) : id;
  });
  let longest = 0;
  for (let j = 0; j < C; j++) longest = Math.max(longest, idBytes.at[j + 1] - idBytes.at[j]);
  const viaBytes = EVENT_TYPE_CODES.map((t) => utf8Bytes(`,"via":"${t}"}}`));
  const itemBytes = utf8Bytes(`${itemJson}}}`);
  const out = createByteWriter();

  // Fixed parts of the JSON lines.
  const ID = utf8Bytes('{"id":');
  const NEXT_ID = utf8Bytes(',{"id":');
  const SCORE = utf8Bytes(',"score":');
  const TRENDING = utf8Bytes(',"reason":{"kind":"trending"}}');
  const HISTORY = utf8Bytes(',"reason":{"kind":"history","itemId":');
  const TOGETHER = utf8Bytes(',"reason":{"kind":"together","itemId":');
  const kindBytes =
    type === 'similar' ? utf8Bytes(',"reason":{"kind":"similar","itemId":') : TOGETHER;
  const CLOSE = utf8Bytes('}}');

  /** Writes user u's line. */
  const write = (u: number): void => {
    const k = score(u);
    const user = log.userIds[u];
    const ids = idBytes.bytes;
    const at = idBytes.at;
    if (!request.json) {
      out.utf8(user);
      const buf = out.reserve(2 + k * (longest + 1));
      let pos = out.pos;
      buf[pos++] = 0x09;
      for (let x = 0; x < k; x++) {
        if (x) buf[pos++] = 0x20;
        const j = outItem[x];
        pos = putBytes(buf, pos, ids, at[j], at[j + 1]);
      }
      buf[pos++] = 0x0a;
      out.pos = pos;
      return;
    }
    out.reserve(8);
    out.pos = putAscii(out.buf, out.pos, '{"user":');
    out.json(user);
    // Per item: the id and the reason's item (each `longest` at most), the
    // score (at most 24 characters) and the fixed parts.
    const buf = out.reserve(16 + k * (2 * longest + 128) + itemBytes.length);
    let pos = putAscii(buf, out.pos, ',"items":[');
    for (let x = 0; x < k; x++) {
      const a = outFrom[x];
      const j = outItem[x];
      pos = x
        ? putBytes(buf, pos, NEXT_ID, 0, NEXT_ID.length)
        : putBytes(buf, pos, ID, 0, ID.length);
      pos = putBytes(buf, pos, ids, at[j], at[j + 1]);
      pos = putBytes(buf, pos, SCORE, 0, SCORE.length);
      pos = putAscii(buf, pos, String(outScore[x]));
      if (a < 0) pos = putBytes(buf, pos, TRENDING, 0, TRENDING.length);
      else if (type === 'for-you') {
        const l = anchorItem[a];
        const c = candOf[l];
        const via = viaBytes[typeOf[l]];
        pos = putBytes(buf, pos, HISTORY, 0, HISTORY.length);
        pos = putBytes(buf, pos, ids, at[c], at[c + 1]);
        pos = putBytes(buf, pos, via, 0, via.length);
      } else if (request.item !== undefined) {
        pos = putBytes(buf, pos, kindBytes, 0, kindBytes.length);
        pos = putBytes(buf, pos, itemBytes, 0, itemBytes.length);
      } else {
        const c = candOf[anchorItem[a]];
        pos = putBytes(buf, pos, TOGETHER, 0, TOGETHER.length);
        pos = putBytes(buf, pos, ids, at[c], at[c + 1]);
        pos = putBytes(buf, pos, CLOSE, 0, CLOSE.length);
      }
    }
    buf[pos++] = 0x5d; // ]
    buf[pos++] = 0x7d; // }
    buf[pos++] = 0x0a;
    out.pos = pos;
  };

  return {
    lines(from, to) {
      for (let u = from; u < to; u++) write(u);
      return out.take();
    },
  };
}

/** `text(0 .. count-1)` as UTF-8, end to end: item x is `bytes[at[x] .. at[x+1])`. */
function encodeAll(
  count: number,
  text: (x: number) => string,
): { bytes: Uint8Array; at: Uint32Array } {
  const parts = Array.from({ length: count }, (_, x) => utf8Bytes(text(x)));
  const at = new Uint32Array(count + 1);
  for (let x = 0; x < count; x++) at[x + 1] = at[x] + parts[x].length;
  const bytes = new Uint8Array(at[count]);
  for (let x = 0; x < count; x++) bytes.set(parts[x], at[x]);
  return { bytes, at };
}

/** Popularity's items (as numbers) in the order a fill takes them: score, then id. */
function popularityOrder(flat: FlatModel, index: Map<string, number>): Int32Array {
  const { ids, scores } = flat.popularity;
  const order = Array.from(ids.keys()).filter((x) => scores[x] > 0);
  order.sort((a, b) => scores[b] - scores[a] || compareIds(ids[a], ids[b]));
  return Int32Array.from(order, (x) => index.get(ids[x])!);
}

/** The array, twice as long. */
function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(2 * a.length);
  grown.set(a);
  return grown;
}
