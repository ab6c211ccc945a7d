/**
 * `likewise train`: event log in, model files out. Reads the log streaming
 * (the second half of a big file in a worker thread), builds similar-item
 * and bought-together neighbours (the similar build split across threads
 * by item ranges) and popularity, and writes `manifest.json` plus shards.
 */

import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type BuildOptions,
  buildNeighbours,
  DEFAULT_K,
  mergeNeighbours,
  type Similarity,
} from '../engine/buildNeighbours';
import { buildPopularity } from '../engine/buildPopularity';
import { BOUGHT_TOGETHER_TYPES } from '../engine/recommend';
import type { InteractionLog, Neighbours } from '../engine/types';
import { isLikewiseError } from '../errors';
import { encodeModel, type Manifest } from '../model/encodeModel';
import {
  type EventFileFormat,
  type EventRangeTask,
  type ParsedEventRange,
  readEvents,
  readEventsRange,
} from './readEvents';
import { runWorkerTask, type WorkerTask, workerEntry } from './runWorkerTask';
import type { CliCommand, CliIo } from './types';

const USAGE = `usage: likewise train --events FILE [options]

Builds model files (manifest.json + shards) from an event log.

  --events FILE           CSV (user,item,timestamp,type; unix seconds) or NDJSON
  --out DIR               output directory (default: model)
  --k N                   neighbours kept per item (default: ${DEFAULT_K})
  --similarity NAME       cosine (default), jaccard or conditional
  --together-k N          bought-together neighbours per item (default: 20)
  --trending-half-life D  popularity halves every D days (default: 7; 0 = no decay)
  --shards N              shard count (default: chosen for ~100 KB shards)
  --score-bits 8|16       stored score precision (default: 8)
  --format csv|ndjson     input format (default: from the extension or content)
  --max-items-per-user N  only each user's N most recent items count, so bots and
                          crawlers cannot dominate the build (default: 1000)
  --threads N             threads to use (default: up to 2)
  --help                  this text
`;

/**
 * Default cap on items per user: far above what a person browses, low
 * enough that a crawler with 40 000 items (whose cost grows with the square
 * of its history) cannot dominate the build.
 */
const DEFAULT_MAX_ITEMS_PER_USER = 1000;

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

const INTEGER_FLAGS: Record<string, [keyof TrainArgs, number]> = {
  '--k': ['k', 1],
  '--together-k': ['togetherK', 0],
  '--shards': ['shards', 1],
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
      if (!(Number.isInteger(n) && n >= integer[1])) {
        return `${flag} must be an integer >= ${integer[1]}, got ${value}`;
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
    k: args.k ?? DEFAULT_K,
    similarity: args.similarity ?? 'cosine',
    togetherK: args.togetherK ?? 20,
    halfLifeDays: args.halfLifeDays ?? 7,
    shards: args.shards,
    scoreBits: args.scoreBits ?? 8,
    format: args.format,
    threads: args.threads ?? Math.max(1, Math.min(2, availableParallelism())),
    maxItemsPerUser: args.maxItemsPerUser ?? DEFAULT_MAX_ITEMS_PER_USER,
  };
}

/** The log as a worker payload: typed arrays trimmed to `length` (views, no copy). */
interface LogPayload {
  log: InteractionLog;
  options: BuildOptions;
}

/** Tasks `main.ts` serves when the CLI runs as a worker thread. */
export const workerTasks: Record<string, WorkerTask> = {
  async readEventsRange(task: EventRangeTask) {
    const result = await readEventsRange(task);
    const transfer = [result.users, result.items, result.types, result.times].map(
      (a) => a.buffer as ArrayBuffer,
    );
    return { result, transfer };
  },
  async buildNeighbours({ log, options }: LogPayload) {
    const result = buildNeighbours(log, options);
    return {
      result,
      transfer: [
        result.offsets.buffer,
        result.indices.buffer,
        result.scores.buffer,
      ] as ArrayBuffer[],
    };
  },
};

/**
 * Item ranges of about equal build cost for `parts` threads. A user with h
 * counted items costs about h² (each of their items meets all the others in
 * the Gustavson inner loop), spread over the items of their events.
 *
 * @param maxItemsPerUser - The build's cap on items per user. Default none.
 */
export function splitRows(
  log: InteractionLog,
  parts: number,
  maxItemsPerUser = Number.POSITIVE_INFINITY,
): [number, number][] {
  const itemCount = log.itemIds.length;
  const perUser = new Uint32Array(log.userCount);
  for (let r = 0; r < log.length; r++) perUser[log.users[r]]++;
  const cost = new Float64Array(itemCount);
  let total = 0;
  for (let r = 0; r < log.length; r++) {
    const n = perUser[log.users[r]];
    const h = Math.min(n, maxItemsPerUser);
    const c = (h * h) / n;
    cost[log.items[r]] += c;
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
  ranges.push([start, itemCount]);
  return ranges;
}

/** Builds neighbours, the ranges after the first on worker threads when there are any. */
async function buildParallel(
  log: InteractionLog,
  options: BuildOptions,
  threads: number,
  entry: string | undefined,
): Promise<Neighbours> {
  if (threads < 2 || entry === undefined || log.itemIds.length < 2) {
    return buildNeighbours(log, options);
  }
  const ranges = splitRows(log, threads, options.maxItemsPerUser);
  const shared: InteractionLog = {
    itemIds: log.itemIds,
    userCount: log.userCount,
    users: log.users.subarray(0, log.length),
    items: log.items.subarray(0, log.length),
    types: log.types.subarray(0, log.length),
    times: log.times.subarray(0, log.length),
    length: log.length,
  };
  const remote = ranges.slice(1).map((rows) =>
    runWorkerTask<Neighbours>(entry, 'buildNeighbours', {
      log: shared,
      options: { ...options, rows },
    } satisfies LogPayload),
  );
  // Settle every worker before returning, even when the local part throws.
  const local = (async () => buildNeighbours(log, { ...options, rows: ranges[0] }))();
  const parts = await Promise.allSettled([local, ...remote]);
  const failed = parts.find((p) => p.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return mergeNeighbours(
    parts.map((p) => {
      const n = (p as PromiseFulfilledResult<Neighbours>).value;
      return { ...n, itemIds: log.itemIds };
    }),
  );
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

/** Model file names listed by a manifest in `dir`, or none. */
async function listedFiles(dir: string): Promise<string[]> {
  try {
    const m = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    return [...(m.files ?? []), m.popularity?.file].filter((f): f is string => !!f);
  } catch {
    return [];
  }
}

/**
 * Writes the model into `dir`: every file through a temporary name and a
 * rename, the manifest last, so a reader sees the old model or the new one,
 * never a mix. Shard names carry their checksum, so the previous model's
 * shards stay in place for pages that loaded its manifest; older ones go.
 */
async function writeModel(dir: string, files: { name: string; bytes: Uint8Array }[]) {
  await mkdir(dir, { recursive: true });
  const previous = await listedFiles(dir);
  const tag = `.tmp-${process.pid}-${Date.now().toString(36)}`;
  for (const file of files) {
    const target = join(dir, file.name);
    await writeFile(target + tag, file.bytes);
    await rename(target + tag, target);
  }
  const keep = new Set([...previous, ...files.map((f) => f.name)]);
  for (const name of await readdir(dir)) {
    if (/^(shard-.*\.bin|popularity-.*\.json)$/.test(name) && !keep.has(name)) {
      await rm(join(dir, name), { force: true });
    }
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
  const args = parseArgs(argv);
  if (typeof args === 'string') return usage(io, args);
  const t0 = performance.now();
  const show = progress(io);
  const entry = args.threads > 1 ? workerEntry() : undefined;
  const eventsPath = resolve(io.cwd, args.events);
  let log: Awaited<ReturnType<typeof readEvents>>;
  try {
    log = await readEvents(eventsPath, {
      format: args.format,
      shared: entry !== undefined,
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
  if (log.length === 0) {
    io.stderr.write(
      `likewise train: no usable events in ${args.events} (${log.skipped} lines skipped).\n`,
    );
    return 1;
  }
  show('similar items', 0);
  const neighbours = await buildParallel(
    log,
    { k: args.k, similarity: args.similarity, maxItemsPerUser: args.maxItemsPerUser },
    args.threads,
    entry,
  );
  show('bought together', 0.6);
  const together =
    args.togetherK > 0
      ? buildNeighbours(log, {
          k: args.togetherK,
          types: BOUGHT_TOGETHER_TYPES,
          maxItemsPerUser: args.maxItemsPerUser,
        })
      : undefined;
  show('popularity', 0.8);
  const popularity = buildPopularity(
    log,
    args.halfLifeDays > 0 ? { halfLifeDays: args.halfLifeDays } : {},
  );
  const t2 = performance.now();
  show('writing', 0.9);
  let encoded: ReturnType<typeof encodeModel>;
  const outDir = resolve(io.cwd, args.out);
  try {
    encoded = encodeModel(
      {
        neighbours,
        together,
        popularity,
        k: args.k,
        similarity: args.similarity,
        togetherK: args.togetherK,
        togetherTypes: [...BOUGHT_TOGETHER_TYPES],
        popularityHalfLifeDays: args.halfLifeDays > 0 ? args.halfLifeDays : undefined,
        stats: {
          events: log.length,
          skipped: log.skipped,
          users: log.userCount,
          pairs: neighbours.indices.length,
          togetherPairs: together?.indices.length ?? 0,
        },
      },
      { shards: args.shards, scoreBits: args.scoreBits },
    );
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
      `likewise train: ${log.length} events (${log.skipped} skipped), ${log.userCount} users, ${m.items} items`,
      `  pairs: ${neighbours.indices.length} similar (k ${args.k}, ${args.similarity}), ${together?.indices.length ?? 0} bought together`,
      `  files: ${encoded.files.length} in ${args.out} (${m.shards} shards, ${allBytes} bytes; ${(shardBytes / Math.max(1, m.items)).toFixed(1)} bytes per item, ${Math.round(shardBytes / m.shards)} bytes per shard)`,
      `  seconds: ${s(t3 - t0)} (read ${s(t1 - t0)}, build ${s(t2 - t1)}, write ${s(t3 - t2)})`,
      '',
    ].join('\n'),
  );
  return 0;
};
