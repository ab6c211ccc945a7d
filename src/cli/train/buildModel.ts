/**
 * The build of `likewise train`: from the read log to similar-item and
 * bought-together neighbours and popularity. The similar build is split
 * across threads by item ranges; the parts that run on a worker thread are
 * exported for `workerTasks`.
 */
import {
  type BuildOptions,
  buildNeighbourRows,
  DEFAULT_WINDOW,
  mergeNeighbours,
  type NeighbourLists,
  type NeighbourPlan,
  planNeighbours,
} from '../../engine/buildNeighbours';
import { buildPopularity, type PopularityOptions } from '../../engine/buildPopularity';
import { idRanks } from '../../engine/compareIds';
import { BOUGHT_TOGETHER_TYPES } from '../../engine/recommend';
import type { InteractionLog, Neighbours } from '../../engine/types';
import {
  buildUserItemMatrix,
  collapseUsers,
  coOccurringPairs,
  countedTypesOf,
  draftUserItemMatrix,
  finishUserItemMatrix,
  gatherUserRows,
  type MatrixDraft,
  planUserRows,
  splitUsers,
  timeLayout,
  type UserItemMatrix,
  type UserRows,
} from '../../engine/userItemMatrix';
import { type UserSequences, userSequences, windowedPairs } from '../../engine/userSequences';
import { runWorkerTask } from '../runWorkerTask';
import type { TrainArgs } from './trainArgs';

/** The log without its columns: what the builds keep once they read groupings instead. */
function bareLog(log: InteractionLog): InteractionLog {
  return {
    itemIds: log.itemIds,
    userCount: log.userCount,
    users: new Uint32Array(0),
    items: new Uint32Array(0),
    types: new Uint8Array(0),
    times: new Float64Array(0),
    length: log.length,
  };
}

/**
 * Worker payload of the grouping: the log, both groupings planned (counted,
 * not filled), the similar matrix's draft, and the users this thread does.
 */
export interface GroupPayload {
  log: InteractionLog;
  similarRows: UserRows;
  similarOptions: BuildOptions;
  togetherRows?: UserRows;
  draft: MatrixDraft;
  users: [number, number];
}

/**
 * Gathers the users' rows of both groupings and collapses them into the
 * similar matrix's draft. Each thread writes only its own users' slots, so
 * two threads doing disjoint user ranges leave what one thread doing all of
 * them would.
 */
export function groupUsers({
  log,
  similarRows,
  similarOptions,
  togetherRows,
  draft,
  users,
}: GroupPayload): void {
  gatherUserRows(log, similarRows, users);
  if (togetherRows) gatherUserRows(log, togetherRows, users);
  collapseUsers(log, similarOptions, similarRows, draft, users);
}

/** Input of the bought-together build: its grouping (gathered: no log columns needed) and options. */
interface TogetherPayload {
  log: InteractionLog;
  rows: UserRows;
  together: BuildOptions;
}

/** The bought-together lists. */
function togetherBuild(
  { log, rows, together }: TogetherPayload,
  rank: Uint32Array,
): NeighbourLists {
  const m = buildUserItemMatrix(log, together, rows);
  return buildNeighbourRows(planNeighbours(m, log.itemIds, together, false, rank));
}

/**
 * Payload of the builds beside the similar items: popularity (from the
 * similar grouping: the same counted types) and the bought-together lists.
 */
export interface SidePayload {
  /** The log without its columns. */
  log: InteractionLog;
  rows?: UserRows;
  options: PopularityOptions;
  together?: TogetherPayload;
  rank: Uint32Array;
}

/** What {@link sideBuilds} returns. */
export interface SideBuilt {
  popularity: Float32Array;
  together?: NeighbourLists;
}

export function sideBuilds({ log, rows, options, together, rank }: SidePayload): SideBuilt {
  return {
    popularity: buildPopularity(log, options, rows),
    together: together ? togetherBuild(together, rank) : undefined,
  };
}

/**
 * Worker payload of the neighbour task: the shared plan, the row chunks, and
 * a shared counter through which threads claim the next chunk.
 */
export interface RowsPayload {
  plan: NeighbourPlan;
  chunks: [number, number][];
  counter: Int32Array;
}

/** Chunks built by one thread: [chunk index, its lists]. */
export type ChunkLists = [number, NeighbourLists][];

/**
 * Claims chunks through `counter` (an atomic add, so two threads never take
 * the same one) and builds each, until none are left. Chunks are many and of
 * about equal cost, so a thread that started late or had other work simply
 * takes fewer: both cores stay busy to the end.
 */
export function buildChunks(
  payload: RowsPayload,
  onChunk?: (claimed: number, total: number) => void,
): ChunkLists {
  const done: ChunkLists = [];
  for (;;) {
    const c = Atomics.add(payload.counter, 0, 1);
    if (c >= payload.chunks.length) return done;
    // Claimed by either thread so far: how far the whole build is.
    onChunk?.(c, payload.chunks.length);
    done.push([c, buildNeighbourRows(payload.plan, payload.chunks[c])]);
  }
}

/** The buffers of neighbour lists, to move (not copy) to another thread. */
export function listBuffers(lists: NeighbourLists): ArrayBuffer[] {
  return [lists.offsets, lists.indices, lists.scores].map((a) => a.buffer as ArrayBuffer);
}

/**
 * Item ranges of about equal build cost. Row i costs the number of pairs its
 * users contribute (the sum of their item counts: each of their items meets i
 * in the Gustavson inner loop).
 *
 * @param m - The user x item matrix of the build (its structure only).
 * @param parts - How many ranges (fewer when there are fewer items).
 */
export function splitRows(
  m: Pick<UserItemMatrix, 'itemOffsets' | 'itemUsers' | 'userOffsets'>,
  parts: number,
): [number, number][] {
  const { itemOffsets, itemUsers, userOffsets } = m;
  const itemCount = itemOffsets.length - 1;
  const cost = new Float64Array(itemCount);
  let total = 0;
  for (let i = 0; i < itemCount; i++) {
    let c = 1;
    for (let p = itemOffsets[i]; p < itemOffsets[i + 1]; p++) {
      const u = itemUsers[p];
      c += userOffsets[u + 1] - userOffsets[u];
    }
    cost[i] = c;
    total += c;
  }
  const ranges: [number, number][] = [];
  let start = 0;
  let sum = 0;
  for (let i = 0; i < itemCount && ranges.length < parts - 1; i++) {
    sum += cost[i];
    if (sum >= (total * (ranges.length + 1)) / parts) {
      ranges.push([start, i + 1]);
      start = i + 1;
    }
  }
  if (start < itemCount || ranges.length === 0) ranges.push([start, itemCount]);
  return ranges;
}

/** Neighbour chunks per thread: enough that the last one to finish waits little. */
const CHUNKS_PER_THREAD = 12;

/** What {@link groupLog} leaves of the log. */
interface GroupedLog {
  /** The log without its columns. */
  log: InteractionLog;
  /** The similar items' and popularity's grouping (gathered). */
  rows?: UserRows;
  /** The bought-together build's grouping (gathered), when it runs. */
  togetherRows?: UserRows;
  /** The similar matrix, its users collapsed in the ranges `cuts`. */
  draft?: MatrixDraft;
  cuts: number[];
  /** The latest event time: the decay's reference. */
  now: number;
  /** `idRanks` of the item ids: ties by id. */
  rank: Uint32Array;
}

/**
 * Groups the log for every build, with the rows' items, types and times
 * gathered in user order (so the per-user passes read in order), and
 * collapses the similar matrix's users. With a worker, it does the upper
 * half of the users (by rows) meanwhile. Takes the log out of `input`: once
 * this resolves, the build holds none of its columns (a separate function,
 * so no temporary of the build's own frame can keep one alive).
 */
async function groupLog(
  input: { log?: InteractionLog },
  similarOptions: BuildOptions,
  together: BuildOptions | undefined,
  entry: string | undefined,
): Promise<GroupedLog> {
  const log = input.log;
  input.log = undefined;
  if (!log) throw new Error('no log');
  const shared = entry !== undefined;
  const times = timeLayout(log);
  const rows = planUserRows(log, countedTypesOf(similarOptions), shared, times);
  const togetherRows = together
    ? planUserRows(log, countedTypesOf(together), shared, times)
    : undefined;
  const draft = draftUserItemMatrix(log, { ...similarOptions, shared }, rows);
  const cuts = splitUsers(rows.rowStart, entry ? 2 : 1);
  const payload: GroupPayload = {
    log,
    similarRows: rows,
    similarOptions,
    togetherRows,
    draft,
    users: [cuts[1], cuts[cuts.length - 1]],
  };
  const remote =
    entry && cuts.length > 2 ? runWorkerTask<null>(entry, 'groupUsers', payload) : undefined;
  remote?.catch(() => {});
  groupUsers({ ...payload, users: [cuts[0], remote ? cuts[1] : cuts[cuts.length - 1]] });
  // While the worker finishes its users (it started later).
  const rank = idRanks(log.itemIds);
  if (remote) await remote;
  return { log: bareLog(log), rows, togetherRows, draft, cuts, now: times.latest, rank };
}

/** What the build phase produces. */
export interface Built {
  neighbours: Neighbours;
  together?: Neighbours;
  popularity: Float32Array;
  /** Co-occurring pairs of the similar build: the sum over users of their item count squared. */
  pairs: number;
  /** Milliseconds from the grouped log to the similar lists (matrix, plan, rows). */
  similarMs: number;
}

/**
 * The build phase. The log is grouped by user once for the similar items
 * and popularity (and once for the bought-together lists); one user x item
 * matrix and one neighbour plan are built, in shared memory when a worker
 * thread helps, and shared with it (never rebuilt per thread). With a
 * worker: it groups the upper half of the users; then it builds popularity
 * and the bought-together lists while this thread finishes the matrix and
 * plans; then both threads claim chunks of similar-item rows until none
 * are left.
 */
export async function buildModel(
  input: { log?: InteractionLog },
  args: TrainArgs,
  entry: string | undefined,
  show: (label: string, fraction: number) => void,
  collect: () => void,
): Promise<Built> {
  const shared = entry !== undefined;
  const similarOptions: BuildOptions = {
    k: args.k,
    similarity: args.similarity,
    maxItemsPerUser: args.maxItemsPerUser,
    ...(args.alpha === undefined ? {} : { alpha: args.alpha }),
    ...(args.weights ? { weights: args.weights } : {}),
    ...(args.similarity === 'sequence' ? { window: args.window, backward: args.backward } : {}),
  };
  // The sequence similarity reads each user's items in order, which the
  // matrix does not keep: taken from the log before the grouping takes it.
  const sequences =
    args.similarity === 'sequence' && input.log
      ? userSequences(input.log, similarOptions)
      : undefined;
  const together: BuildOptions | undefined =
    args.togetherK > 0
      ? { k: args.togetherK, types: BOUGHT_TOGETHER_TYPES, maxItemsPerUser: args.maxItemsPerUser }
      : undefined;
  const grouped = await groupLog(input, similarOptions, together, entry);
  const t0 = performance.now();
  const { log, now, rank } = grouped;
  let rows = grouped.rows;
  grouped.rows = undefined;
  if (!rows) throw new Error('no grouping');
  const itemIds = log.itemIds;
  const sidePayload: SidePayload = {
    log,
    rows,
    options: args.halfLifeDays > 0 ? { halfLifeDays: args.halfLifeDays, now } : {},
    together: grouped.togetherRows
      ? { log, rows: grouped.togetherRows, together: together ?? {} }
      : undefined,
    rank,
  };
  grouped.togetherRows = undefined;
  // Popularity and the bought-together lists are built on the worker while
  // this thread finishes the similar matrix and plans its rows.
  const sideTask = entry ? runWorkerTask<SideBuilt>(entry, 'sideBuilds', sidePayload) : undefined;
  // Keep a failed worker from becoming an unhandled rejection meanwhile.
  sideTask?.catch(() => {});
  const localSide = sideTask ? undefined : sideBuilds(sidePayload);
  // The log's columns go now; the groupings once the side builds are done.
  collect();
  const { plan, chunks, pairs } = planSimilar(
    grouped,
    rows,
    similarOptions,
    args.threads,
    shared,
    sequences,
  );
  rows = undefined;
  // The user side of the matrix now lives in the plan's packed codes.
  collect();
  // The worker may still be on the side builds: the row chunks start on a
  // second one (the chunks are claimed, so whoever is free takes more).
  const lists = rowsPhase(plan, chunks, { itemIds, entry, show, pairs, t0 });
  lists.catch(() => {});
  const side = sideTask ? await sideTask : localSide;
  if (!side) throw new Error('no side builds');
  sidePayload.rows = undefined;
  sidePayload.together = undefined;
  const similar = await lists;
  return {
    ...similar,
    together: side.together ? { itemIds, ...side.together } : undefined,
    popularity: side.popularity,
  };
}

/**
 * The similar build's plan and row chunks, from the grouped log's draft
 * (taken out of `grouped`, so the matrix is garbage once this returns).
 */
function planSimilar(
  grouped: GroupedLog,
  rows: UserRows,
  options: BuildOptions,
  threads: number,
  shared: boolean,
  sequences?: UserSequences,
): { plan: NeighbourPlan; chunks: [number, number][]; pairs: number } {
  const draft = grouped.draft;
  grouped.draft = undefined;
  if (!draft) throw new Error('no matrix draft');
  const m = finishUserItemMatrix(draft, rows, grouped.cuts);
  return {
    plan: planNeighbours(m, grouped.log.itemIds, options, shared, grouped.rank, sequences),
    chunks: splitRows(m, CHUNKS_PER_THREAD * Math.max(1, threads)),
    pairs: sequences
      ? windowedPairs(sequences, options.window ?? DEFAULT_WINDOW)
      : coOccurringPairs(m),
  };
}

/** What {@link rowsPhase} needs from the build besides the plan. */
interface RowsContext {
  itemIds: string[];
  entry: string | undefined;
  show: (label: string, fraction: number) => void;
  /** For the figures: the pairs of the matrix, and when the similar build started. */
  pairs: number;
  t0: number;
}

/** The similar-item lists, with the figures of their build. */
type SimilarBuilt = Pick<Built, 'neighbours' | 'pairs' | 'similarMs'>;

/** The similar-item rows: this thread and a worker claim chunks of the plan. */
async function rowsPhase(
  plan: NeighbourPlan,
  chunks: [number, number][],
  { itemIds, entry, show, pairs, t0 }: RowsContext,
): Promise<SimilarBuilt> {
  const shared = entry !== undefined;
  const counter = new Int32Array(
    shared ? (new SharedArrayBuffer(4) as unknown as ArrayBuffer) : new ArrayBuffer(4),
  );
  const payload: RowsPayload = { plan, chunks, counter };
  show('building similar items', 0.35);
  const remote = entry ? runWorkerTask<ChunkLists>(entry, 'neighbourRows', payload) : undefined;
  remote?.catch(() => {});
  const local = buildChunks(payload, (claimed, total) =>
    show('building similar items', 0.35 + (0.5 * claimed) / total),
  );
  const parts = local.concat(remote ? await remote : []);
  parts.sort((a, b) => a[0] - b[0]);
  const neighbours = mergeNeighbours(
    parts.map(([, lists]) => ({ itemIds, ...lists })),
    shared,
  );
  return { neighbours, pairs, similarMs: performance.now() - t0 };
}
