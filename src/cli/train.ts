/**
 * `likewise train`: event log in, model files out. Reads the log streaming
 * (the second half of a big file in a worker thread), builds similar-item
 * and bought-together neighbours (the similar build split across threads
 * by item ranges) and popularity, and writes `manifest.json` plus shards.
 */

import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  type BuildOptions,
  buildNeighbourRows,
  DEFAULT_K,
  mergeNeighbours,
  type NeighbourLists,
  type NeighbourPlan,
  planNeighbours,
  type Similarity,
} from '../engine/buildNeighbours';
import { buildPopularity, type PopularityOptions } from '../engine/buildPopularity';
import { idRanks } from '../engine/compareIds';
import { DEFAULT_MODEL } from '../engine/evaluate';
import { BOUGHT_TOGETHER_TYPES } from '../engine/recommend';
import type { InteractionLog, Neighbours } from '../engine/types';
import {
  buildUserItemMatrix,
  collapseUsers,
  coOccurringPairs,
  countedTypesOf,
  DEFAULT_MAX_ITEMS_PER_USER,
  draftUserItemMatrix,
  finishUserItemMatrix,
  gatherUserRows,
  type MatrixDraft,
  planUserRows,
  splitUsers,
  timeLayout,
  type UserItemMatrix,
  type UserRows,
} from '../engine/userItemMatrix';
import { isLikewiseError } from '../errors';
import {
  encodeModel,
  encodeShardRange,
  type Manifest,
  MODEL_FORMAT,
  type ModelInput,
  type ShardLayout,
  shardLayout,
} from '../model/encodeModel';
import { clickHouseArgv } from './clickhouse/clickHouseArgv';
import { credentials } from './clickhouse/connectClickHouse';
import { printSql, trainClickHouse } from './clickhouse/trainClickHouse';
import {
  type EventFileFormat,
  type EventRangeTask,
  type ParsedEventRange,
  readEvents,
  readEventsRange,
} from './readEvents';
import { runWorkerTask, type WorkerTask, workerEntry } from './runWorkerTask';
import type { CliCommand, CliIo } from './types';

/**
 * The build settings of the engine's default model (`DEFAULT_MODEL`, what
 * `likewise eval` reports as `default`), so a trained model is the model
 * that was evaluated.
 */
const DEFAULT_BUILD: BuildOptions = DEFAULT_MODEL.kind === 'neighbours' ? DEFAULT_MODEL.build : {};
const TRAIN_K = DEFAULT_BUILD.k ?? DEFAULT_K;
const TRAIN_MAX_ITEMS_PER_USER = DEFAULT_BUILD.maxItemsPerUser ?? DEFAULT_MAX_ITEMS_PER_USER;

const USAGE = `usage: likewise train --events FILE [options]
       likewise train --clickhouse URL --table NAME [options]
       likewise train --emit-sql clickhouse|bigquery|spark [--table NAME] [options]

Builds model files (manifest.json + shards) from an event log.

  --events FILE           CSV (user,item,timestamp,type; unix seconds) or NDJSON
  --out DIR               output directory (default: model)
  --k N                   neighbours kept per item (default: ${TRAIN_K})
  --similarity NAME       cosine (default), jaccard or conditional
  --together-k N          bought-together neighbours per item (default: 20)
  --trending-half-life D  popularity halves every D days (default: 7; 0 = no decay)
  --shards N              shard count (default: chosen for ~32 KB shards)
  --score-bits 8|16       stored score precision (default: 8)
  --format csv|ndjson     input format (default: from the extension or content)
  --max-items-per-user N  only each user's N most recent items count, so bots,
                          crawlers and shared accounts cannot make the build
                          quadratic (default: ${TRAIN_MAX_ITEMS_PER_USER}, as in \`likewise eval\`)
  --threads N             threads to use (default: up to 2)
  --clickhouse URL        build inside ClickHouse instead (HTTP interface), from --table
  --table NAME            events table (user, item, timestamp, type); may be Distributed
  --user NAME             ClickHouse user (default: $LIKEWISE_CLICKHOUSE_USER, else default)
  --password P            ClickHouse password (better: $LIKEWISE_CLICKHOUSE_PASSWORD,
                          argv is visible to other users of the machine)
  --emit-sql DIALECT      print the build's SQL for clickhouse, bigquery or spark
  --help                  this text
`;

/** Parsed `likewise train` arguments. */
interface TrainArgs {
  events: string;
  out: string;
  k: number;
  similarity: Similarity;
  togetherK: number;
  halfLifeDays: number;
  shards?: number;
  scoreBits: 8 | 16;
  format?: EventFileFormat;
  threads: number;
  maxItemsPerUser: number;
}

function usage(io: CliIo, message: string): number {
  io.stderr.write(`likewise train: ${message}\n\n${USAGE}`);
  return 2;
}

const INTEGER_FLAGS: Record<string, [keyof TrainArgs, number, number?]> = {
  '--k': ['k', 1],
  '--together-k': ['togetherK', 0],
  // The model format's limit (checked again by encodeModel), here before any work.
  '--shards': ['shards', 1, 65_536],
  '--threads': ['threads', 1],
  '--max-items-per-user': ['maxItemsPerUser', 1],
};

function parseArgs(argv: string[]): TrainArgs | string {
  const args: Partial<TrainArgs> = {};
  for (let a = 0; a < argv.length; a++) {
    let flag = argv[a];
    let value: string | undefined;
    const eq = flag.indexOf('=');
    if (flag.startsWith('--') && eq > 0) {
      value = flag.slice(eq + 1);
      flag = flag.slice(0, eq);
    } else if (flag.startsWith('--')) {
      value = argv[a + 1];
      if (value !== undefined && !value.startsWith('--')) a++;
      else value = undefined;
    } else {
      return `unexpected argument ${flag}`;
    }
    if (value === undefined) return `${flag} needs a value`;
    const integer = INTEGER_FLAGS[flag];
    if (integer) {
      const n = Number(value);
      const [, min, max] = integer;
      if (!(Number.isInteger(n) && n >= min && (max === undefined || n <= max))) {
        return max === undefined
          ? `${flag} must be an integer >= ${min}, got ${value}`
          : `${flag} must be an integer from ${min} to ${max}, got ${value}`;
      }
      (args as Record<string, number>)[integer[0]] = n;
    } else if (flag === '--events') args.events = value;
    else if (flag === '--out') args.out = value;
    else if (flag === '--similarity') {
      if (value !== 'cosine' && value !== 'jaccard' && value !== 'conditional') {
        return `--similarity must be cosine, jaccard or conditional, got ${value}`;
      }
      args.similarity = value;
    } else if (flag === '--trending-half-life') {
      const n = Number(value);
      if (!(Number.isFinite(n) && n >= 0)) {
        return `--trending-half-life must be a number of days >= 0, got ${value}`;
      }
      args.halfLifeDays = n;
    } else if (flag === '--score-bits') {
      if (value !== '8' && value !== '16') return `--score-bits must be 8 or 16, got ${value}`;
      args.scoreBits = value === '8' ? 8 : 16;
    } else if (flag === '--format') {
      if (value !== 'csv' && value !== 'ndjson')
        return `--format must be csv or ndjson, got ${value}`;
      args.format = value;
    } else return `unknown option ${flag}`;
  }
  if (args.events === undefined) return '--events FILE is required';
  return {
    events: args.events,
    out: args.out ?? 'model',
    k: args.k ?? TRAIN_K,
    similarity: args.similarity ?? DEFAULT_BUILD.similarity ?? 'cosine',
    togetherK: args.togetherK ?? 20,
    halfLifeDays: args.halfLifeDays ?? 7,
    shards: args.shards,
    scoreBits: args.scoreBits ?? 8,
    format: args.format,
    threads: args.threads ?? Math.max(1, Math.min(2, availableParallelism())),
    maxItemsPerUser: args.maxItemsPerUser ?? TRAIN_MAX_ITEMS_PER_USER,
  };
}

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
interface GroupPayload {
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
function groupUsers({
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
interface SidePayload {
  /** The log without its columns. */
  log: InteractionLog;
  rows?: UserRows;
  options: PopularityOptions;
  together?: TogetherPayload;
  rank: Uint32Array;
}

/** What {@link sideBuilds} returns. */
interface SideBuilt {
  popularity: Float32Array;
  together?: NeighbourLists;
}

function sideBuilds({ log, rows, options, together, rank }: SidePayload): SideBuilt {
  return {
    popularity: buildPopularity(log, options, rows),
    together: together ? togetherBuild(together, rank) : undefined,
  };
}

/**
 * Worker payload of the neighbour task: the shared plan, the row chunks, and
 * a shared counter through which threads claim the next chunk.
 */
interface RowsPayload {
  plan: NeighbourPlan;
  chunks: [number, number][];
  counter: Int32Array;
}

/** Chunks built by one thread: [chunk index, its lists]. */
type ChunkLists = [number, NeighbourLists][];

/**
 * Claims chunks through `counter` (an atomic add, so two threads never take
 * the same one) and builds each, until none are left. Chunks are many and of
 * about equal cost, so a thread that started late or had other work simply
 * takes fewer: both cores stay busy to the end.
 */
function buildChunks(payload: RowsPayload): ChunkLists {
  const done: ChunkLists = [];
  for (;;) {
    const c = Atomics.add(payload.counter, 0, 1);
    if (c >= payload.chunks.length) return done;
    done.push([c, buildNeighbourRows(payload.plan, payload.chunks[c])]);
  }
}

/** The buffers of neighbour lists, to move (not copy) to another thread. */
function listBuffers(lists: NeighbourLists): ArrayBuffer[] {
  return [lists.offsets, lists.indices, lists.scores].map((a) => a.buffer as ArrayBuffer);
}

/** Tasks `main.ts` serves when the CLI runs as a worker thread. */
export const workerTasks: Record<string, WorkerTask> = {
  async readEventsRange(task: EventRangeTask) {
    const result = await readEventsRange(task, garbageCollector());
    // Rows parsed into the reading thread's shared columns are not moved.
    const transfer = [result.users, result.items, result.types, result.times]
      .map((a) => a.buffer)
      .filter((b): b is ArrayBuffer => !(b instanceof SharedArrayBuffer));
    return { result, transfer };
  },
  async groupUsers(payload: GroupPayload) {
    groupUsers(payload);
    return { result: null };
  },
  async sideBuilds(payload: SidePayload) {
    const result = sideBuilds(payload);
    const transfer = [result.popularity.buffer as ArrayBuffer];
    if (result.together) transfer.push(...listBuffers(result.together));
    return { result, transfer };
  },
  async encodeShards({ input, layout, from, to }: ShardsPayload) {
    const result = encodeShardRange(input, layout.shards, layout.scoreBits, from, to);
    return { result, transfer: result.map((bytes) => bytes.buffer as ArrayBuffer) };
  },
  async neighbourRows(payload: RowsPayload) {
    const result = buildChunks(payload);
    return { result, transfer: result.flatMap(([, lists]) => listBuffers(lists)) };
  },
};

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
interface Built {
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
async function build(
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
  };
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
  const { plan, chunks, pairs } = planSimilar(grouped, rows, similarOptions, args.threads, shared);
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
): { plan: NeighbourPlan; chunks: [number, number][]; pairs: number } {
  const draft = grouped.draft;
  grouped.draft = undefined;
  if (!draft) throw new Error('no matrix draft');
  const m = finishUserItemMatrix(draft, rows, grouped.cuts);
  return {
    plan: planNeighbours(m, grouped.log.itemIds, options, shared, grouped.rank),
    chunks: splitRows(m, CHUNKS_PER_THREAD * Math.max(1, threads)),
    pairs: coOccurringPairs(m),
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
  show('similar items', 0.3);
  const remote = entry ? runWorkerTask<ChunkLists>(entry, 'neighbourRows', payload) : undefined;
  remote?.catch(() => {});
  const local = buildChunks(payload);
  const parts = local.concat(remote ? await remote : []);
  parts.sort((a, b) => a[0] - b[0]);
  const neighbours = mergeNeighbours(
    parts.map(([, lists]) => ({ itemIds, ...lists })),
    shared,
  );
  return { neighbours, pairs, similarMs: performance.now() - t0 };
}

/**
 * A full garbage collection on demand. The build's arrays are large and the
 * JS heap tiny, so V8 sees no reason to collect before the next big array
 * comes: without this, each phase's dead arrays (the log, the id tables, a
 * matrix side) stay resident beside the next phase's and set the peak.
 * A no-op where the runtime refuses the flag.
 */
function garbageCollector(): () => void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    // Twice: a collection frees some array buffers only when the next one
    // starts (their sweeping is deferred), and those are the big ones here.
    if (typeof gc === 'function')
      return () => {
        gc();
        gc();
      };
  } catch {
    // Fall back to V8's own schedule.
  }
  return () => {};
}

/** A one-line progress bar on stderr, only when it is a terminal. */
function progress(io: CliIo): (label: string, fraction: number) => void {
  if (!io.stderr.isTTY) return () => {};
  let last = '';
  return (label, fraction) => {
    const f = Math.max(0, Math.min(1, fraction));
    const width = 30;
    const done = Math.round(f * width);
    const line = `\r[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${String(Math.round(f * 100)).padStart(3)}% ${label.padEnd(24)}`;
    if (line !== last) io.stderr.write(line);
    last = line;
    if (f >= 1 && label === 'done') io.stderr.write('\n');
  };
}

/** Worker payload of the shard encoding: the model and the shards to encode. */
interface ShardsPayload {
  input: ModelInput;
  layout: ShardLayout;
  from: number;
  to: number;
}

/** Share of the shards this thread encodes when a worker does the rest. */
const MAIN_SHARE = 0.6;

/**
 * Every shard file of the model: the last 40 % encoded on a worker thread
 * (when there is one) while this thread encodes the first.
 */
async function encodeShards(
  input: ModelInput,
  { shards, scoreBits }: ShardLayout,
  entry: string | undefined,
): Promise<Uint8Array[]> {
  // The worker starts some 170 ms late: this thread takes the bigger share.
  const half = entry && shards > 1 ? Math.ceil(shards * MAIN_SHARE) : shards;
  const payload: ShardsPayload = { input, layout: { shards, scoreBits }, from: half, to: shards };
  const remote =
    half < shards && entry
      ? runWorkerTask<Uint8Array[]>(entry, 'encodeShards', payload)
      : undefined;
  remote?.catch(() => {});
  const local = encodeShardRange(input, shards, scoreBits, 0, half);
  return remote ? local.concat(await remote) : local;
}

/** The names of the files `likewise train` writes (`shard-<n>-<checksum>.bin`, `popularity-<checksum>.json`). */
const MODEL_FILE = /^(shard-\d+-[0-9a-f]{8}\.bin|popularity-[0-9a-f]{8}\.json)$/;

/**
 * The file names listed by the likewise model in `dir`, or `undefined` when
 * `dir` has no `manifest.json`. Throws when its `manifest.json` is not a
 * likewise model's (a web app manifest, say): it is never overwritten.
 */
export async function listedFiles(dir: string): Promise<string[] | undefined> {
  const path = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  let m: Partial<Manifest> | undefined;
  try {
    m = JSON.parse(text);
  } catch {}
  if (m?.format !== MODEL_FORMAT)
    throw new Error(`${path} is not a likewise model manifest; choose another --out directory`);
  return [...(m.files ?? []), m.popularity?.file].filter((f): f is string => !!f);
}

/**
 * Writes the model into `dir`: every file through a temporary name and a
 * rename, the manifest last, so a reader sees the old model or the new one,
 * never a mix. Shard names carry their checksum, so the previous model's
 * shards stay in place for pages that loaded its manifest; older ones go.
 * Only model files go, and only where a likewise model was before: other
 * files in `dir` are never touched.
 */
export async function writeModel(dir: string, files: { name: string; bytes: Uint8Array }[]) {
  await mkdir(dir, { recursive: true });
  const previous = await listedFiles(dir);
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  // A thousand small files, one after the other and the manifest (last in
  // `files`) after all of them, so it never names a shard that is not there
  // yet. Synchronous calls: nothing else runs meanwhile, and each file then
  // costs its system calls only, not a round trip through libuv's thread
  // pool per call (three times as long with eight files in flight).
  for (const file of files) {
    const target = join(dir, file.name);
    writeFileSync(target + tag, file.bytes);
    renameSync(target + tag, target);
  }
  if (!previous) return;
  const keep = new Set([...previous, ...files.map((f) => f.name)]);
  for (const name of await readdir(dir)) {
    if (MODEL_FILE.test(name) && !keep.has(name)) await rm(join(dir, name), { force: true });
  }
}

/**
 * Runs `likewise train`. Resolves 0 on success, 1 when the log cannot be
 * read or the model cannot be written, 2 on a usage error.
 *
 * @example await run(['--events', 'events.csv', '--out', 'public/model'], { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
 */
export const run: CliCommand = async (argv, io) => {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(USAGE);
    return 0;
  }
  const ch = clickHouseArgv(argv);
  if (typeof ch === 'string') return usage(io, ch);
  if (ch.url !== undefined && ch.rest.includes('--events'))
    return usage(io, 'give --events FILE or --clickhouse URL, not both');
  const fromWarehouse = ch.url !== undefined || ch.emitSql !== undefined;
  const args = parseArgs(fromWarehouse ? [...ch.rest, '--events', '-'] : ch.rest);
  if (typeof args === 'string') return usage(io, args);
  if (ch.emitSql) return printSql(ch.emitSql, ch.table, args, io);
  if (ch.url !== undefined && ch.table !== undefined) {
    const { user, password } = credentials(ch);
    return trainClickHouse({ url: ch.url, table: ch.table, user, password }, args, io);
  }
  const t0 = performance.now();
  const show = progress(io);
  const entry = args.threads > 1 ? workerEntry() : undefined;
  const eventsPath = resolve(io.cwd, args.events);
  try {
    // Before the work: a directory holding another manifest.json is refused at once.
    await listedFiles(resolve(io.cwd, args.out));
  } catch (error) {
    io.stderr.write(
      `likewise train: cannot write the model to ${args.out}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  let log: Awaited<ReturnType<typeof readEvents>> | undefined;
  const collect = garbageCollector();
  try {
    log = await readEvents(eventsPath, {
      format: args.format,
      shared: entry !== undefined,
      userIds: false,
      collect,
      onProgress: (done, total) => show('reading events', total > 0 ? done / total : 1),
      parallel:
        entry === undefined
          ? undefined
          : (task) => runWorkerTask<ParsedEventRange>(entry, 'readEventsRange', task),
    });
  } catch (error) {
    io.stderr.write(
      `${io.stderr.isTTY ? '\n' : ''}likewise train: cannot read ${args.events}: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  const t1 = performance.now();
  // The readers' id tables and the parse buffers go before the build.
  collect();
  if (log.length === 0) {
    io.stderr.write(
      `likewise train: no usable events in ${args.events} (${log.skipped} lines skipped).\n`,
    );
    return 1;
  }
  const facts = { events: log.length, skipped: log.skipped, users: log.userCount };
  const input = { log: log as InteractionLog | undefined };
  log = undefined;
  show('grouping', 0.2);
  let built: Built;
  try {
    built = await build(input, args, entry, show, collect);
  } catch (error) {
    io.stderr.write(
      `${io.stderr.isTTY ? '\n' : ''}likewise train: build failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  const { neighbours, together, popularity, pairs, similarMs } = built;
  // The build's parts (the row chunks, the plan) go before the encoding.
  collect();
  const t2 = performance.now();
  show('writing', 0.9);
  let encoded: ReturnType<typeof encodeModel>;
  const outDir = resolve(io.cwd, args.out);
  try {
    const input: ModelInput = {
      neighbours,
      together,
      popularity,
      k: args.k,
      similarity: args.similarity,
      togetherK: args.togetherK,
      togetherTypes: [...BOUGHT_TOGETHER_TYPES],
      popularityHalfLifeDays: args.halfLifeDays > 0 ? args.halfLifeDays : undefined,
      stats: {
        events: facts.events,
        skipped: facts.skipped,
        users: facts.users,
        pairs: neighbours.indices.length,
        togetherPairs: together?.indices.length ?? 0,
      },
    };
    const layout = shardLayout(input, { shards: args.shards, scoreBits: args.scoreBits });
    encoded = encodeModel(input, {
      ...layout,
      shardBytes: await encodeShards(input, layout, entry),
    });
    await writeModel(outDir, encoded.files);
  } catch (error) {
    const message =
      isLikewiseError(error) || error instanceof Error ? error.message : String(error);
    io.stderr.write(`\nlikewise train: cannot write the model to ${args.out}: ${message}\n`);
    return 1;
  }
  const t3 = performance.now();
  show('done', 1);
  const m = encoded.manifest;
  const shardBytes = m.sizes.reduce((a, b) => a + b, 0);
  const allBytes = encoded.files.reduce((a, f) => a + f.bytes.length, 0);
  const s = (ms: number) => (ms / 1000).toFixed(2);
  io.stdout.write(
    [
      `likewise train: ${facts.events} events (${facts.skipped} skipped), ${facts.users} users, ${m.items} items`,
      `  pairs: ${neighbours.indices.length} similar (k ${args.k}, ${args.similarity}), ${together?.indices.length ?? 0} bought together`,
      `  files: ${encoded.files.length} in ${args.out} (${m.shards} shards, ${allBytes} bytes; ${(shardBytes / Math.max(1, m.items)).toFixed(1)} bytes per item, ${Math.round(shardBytes / m.shards)} bytes per shard)`,
      `  seconds: ${s(t3 - t0)} (read ${s(t1 - t0)}, build ${s(t2 - t1)}, write ${s(t3 - t2)})`,
      `  similar build: ${pairs} co-occurring pairs (sum over users of items squared, after the cap) in ${s(similarMs)} s, ${((similarMs * 1e6) / Math.max(1, pairs)).toFixed(1)} ns per pair`,
      '',
    ].join('\n'),
  );
  return 0;
};
