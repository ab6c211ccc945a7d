/**
 * The streaming event-log reader behind `likewise train` and `likewise eval`.
 *
 * It reads CSV (`user,item,timestamp,type`, timestamp in unix seconds) or
 * NDJSON (the same fields, or the SDK's collected `LikewiseEvent` objects)
 * and returns an {@link InteractionLog} with user and item ids interned to
 * indexes. It works on bytes: lines are found with the native `indexOf`,
 * fields are scanned and hashed in one pass, and an id becomes a JS string
 * only the first time it is seen, so ten million lines parse in seconds
 * without a string per line.
 */
import { open } from 'node:fs/promises';
import type { InteractionLog } from '../engine/types';
import { LikewiseError } from '../errors';
import type { InternedKeys } from './events/byteInterner';
import { csvLine } from './events/csvLine';
import { isSpace } from './events/fieldValues';
import { LogBuilder, SKIP_REASONS } from './events/logBuilder';
import {
  csvLayout,
  type EventFileFormat,
  formatFromPath,
  type LogLayout,
} from './events/logLayout';
import { ndjsonLine } from './events/ndjsonLine';
import { type RowRegion, RowSink } from './events/rowSink';

export type { EventFileFormat } from './events/logLayout';

/** Options of {@link readEvents}. */
export interface ReadEventsOptions {
  /**
   * File format. Default: from the extension (`.csv`; `.ndjson`, `.jsonl`,
   * `.json`), else from the first byte (`{` or `[` means NDJSON).
   */
  format?: EventFileFormat;
  /** Called after each chunk with the bytes read so far and the file size (for progress bars). */
  onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** Read size in bytes. Default 4 MiB. */
  chunkSize?: number;
  /**
   * Parses the second half of a big file elsewhere, typically in a worker
   * thread running {@link readEventsRange}; its rows are appended after the
   * first half's, so file order is kept. Default: one thread.
   */
  parallel?: (task: EventRangeTask) => Promise<ParsedEventRange>;
  /** Smallest file (bytes) worth splitting with `parallel`. Default 32 MiB. */
  parallelMinBytes?: number;
  /** Allocate the columns in `SharedArrayBuffer`s, so worker threads can read them without a copy. */
  shared?: boolean;
  /**
   * Runs a full garbage collection: called after an id table of 4 MiB or
   * more is replaced by a bigger one. The JS heap stays tiny while these
   * tables grow to tens of megabytes, so V8 would otherwise keep the dead
   * ones and they would set the peak memory of a big read. Default: V8's own schedule.
   */
  collect?: () => void;
  /**
   * Keep the user ids as strings in `userIds`. Default true; a build that
   * only needs user indexes (`likewise train`) saves a string per user.
   */
  userIds?: boolean;
}

/** What {@link readEvents} resolves to: the log plus the user ids and what was skipped. */
export interface ReadEventsResult extends InteractionLog {
  /**
   * User index -> user id (for NDJSON from the SDK: the identified user, else
   * the session). Empty when read with `userIds: false`.
   */
  userIds: string[];
  /** Lines (or purchase lines) refused: malformed, unknown event type, or no item. */
  skipped: number;
  /** Why: the skipped lines per reason, most frequent first, with the first line (1-based) of each. */
  skips: SkippedLines[];
  /** The first line has semicolons and no commas: a CSV export with `;` as its separator. */
  semicolons: boolean;
  /** The format that was read. */
  format: EventFileFormat;
}
/** A byte range of an event file for one thread to parse (see {@link ReadEventsOptions.parallel}). */
export interface EventRangeTask {
  path: string;
  /** First byte (a line start). */
  start: number;
  /** End byte, exclusive (a line start or the file size). */
  end: number;
  layout: LogLayout;
  /** Expected rows, to size the columns. */
  capacity: number;
  /**
   * Parse into these columns (`capacity` rows from `into.at`) rather than
   * new ones, while the rows fit.
   */
  into?: RowRegion;
}

/** What parsing one range yields: rows with range-local ids, and those ids as bytes. */
export interface ParsedEventRange {
  users: Uint32Array;
  items: Uint32Array;
  types: Uint8Array;
  times: Float64Array;
  length: number;
  skipped: number;
  /** Skipped lines per reason, and the first line of each (1-based within the range; 0: none). */
  skipCounts: Float64Array;
  skipFirst: Float64Array;
  userKeys: InternedKeys;
  itemKeys: InternedKeys;
  /** The rows are in the task's `into` columns (they all fit). */
  inPlace: boolean;
}

/**
 * Room for this many times the rows the line length predicts, per half, when
 * the halves share columns: pages never written cost no memory, while a
 * half that outgrows its room is copied at the merge.
 */
const REGION_SLACK = 1.05;

/** Files smaller than this are parsed on one thread: a worker costs more than it saves. */
const PARALLEL_MIN_BYTES = 32 << 20;

type FileHandle = Awaited<ReturnType<typeof open>>;

/** Feeds the lines of `[start, end)` to `builder`, reading in chunks. */
async function parseRange(
  handle: FileHandle,
  builder: LogBuilder,
  format: EventFileFormat,
  start: number,
  end: number,
  chunkSize: number,
  onProgress?: (bytesDone: number) => void,
): Promise<void> {
  let buf = Buffer.allocUnsafe(Math.max(1 << 16, chunkSize));
  let filled = 0;
  let position = start;
  const csv = format === 'csv';
  for (;;) {
    if (filled === buf.length) {
      // A line longer than the buffer: make room for it.
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, filled);
      buf = bigger;
    }
    const want = Math.min(buf.length - filled, end - position);
    const n = want > 0 ? (await handle.read(buf, filled, want, position)).bytesRead : 0;
    position += n;
    filled += n;
    const last = n === 0;
    let pos = 0;
    for (;;) {
      let eol = buf.indexOf(10, pos);
      if (eol < 0 || eol >= filled) {
        if (!last || pos >= filled) break;
        eol = filled;
      }
      builder.line++;
      if (csv) csvLine(builder, buf, pos, eol);
      else ndjsonLine(builder, buf, pos, eol);
      pos = eol + 1;
    }
    // The batched rows point into `buf`, which is about to move.
    builder.flush();
    if (last) return;
    buf.copy(buf, 0, pos, filled);
    filled -= pos;
    onProgress?.(position - start);
  }
}

/** The log's columns as read (user and item indexes, type codes, times) and its length. */
const columnsOf = ({ users, items, types, times, length }: LogBuilder['rows']) => ({
  users,
  items,
  types,
  times,
  length,
});

function rangeResult(builder: LogBuilder): ParsedEventRange {
  const rows = builder.rows;
  return {
    ...columnsOf(rows),
    skipped: builder.skipped,
    skipCounts: builder.skipCounts,
    skipFirst: builder.skipFirst,
    userKeys: builder.users.keyBytes(),
    itemKeys: builder.items.keyBytes(),
    inPlace: rows.inRegion,
  };
}

/**
 * Parses one byte range of an event file: the function a worker thread runs
 * for {@link ReadEventsOptions.parallel}. Ids in the result are local to the
 * range; {@link readEvents} maps them onto its own.
 *
 * @param collect - As {@link ReadEventsOptions.collect}.
 */
export async function readEventsRange(
  task: EventRangeTask,
  collect?: () => void,
): Promise<ParsedEventRange> {
  const handle = await open(task.path, 'r');
  try {
    const builder = new LogBuilder(task.capacity, task.layout, false, task.into);
    builder.users.onGrow = collect;
    builder.items.onGrow = collect;
    // Only the key bytes go back to the reading thread: no strings here.
    builder.users.keepStrings = false;
    builder.items.keepStrings = false;
    await parseRange(handle, builder, task.layout.format, task.start, task.end, 1 << 22);
    return rangeResult(builder);
  } finally {
    await handle.close();
  }
}

/** What an event log should be, for messages about files that are not one. */
export const EVENT_LOG_EXPECTED =
  'expected CSV (a user,item,timestamp,type header; timestamps in unix seconds) or NDJSON with the same fields or the SDK events that likewise collect writes';

/**
 * What a file whose first bytes are `head` is, when it is no text: an
 * archive by its magic number, or binary when more than one byte in ten of
 * its first 4 KiB is a control character (a text log may hold a stray one).
 */
export function binaryKind(head: Uint8Array): string | undefined {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'a gzip file (decompress it first)';
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return 'a zip archive (extract it first)';
  const n = Math.min(head.length, 4096);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const c = head[i];
    if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) control++;
  }
  return control * 10 > n ? 'a binary file' : undefined;
}

/** Lines skipped for one reason. */
export interface SkippedLines {
  /** What was wrong, in words (`unknown event type`). */
  reason: string;
  count: number;
  /** The first such line, 1-based. */
  firstLine: number;
}

function skippedLines(counts: Float64Array, first: Float64Array): SkippedLines[] {
  const out: SkippedLines[] = [];
  for (let r = 0; r < counts.length; r++)
    if (counts[r] > 0) out.push({ reason: SKIP_REASONS[r], count: counts[r], firstLine: first[r] });
  return out.sort((a, b) => b.count - a.count || a.firstLine - b.firstLine);
}

/** The first 4 KiB of the file at `path` (fewer when it is shorter), for {@link binaryKind}. */
export async function readHead(path: string): Promise<Uint8Array> {
  const handle = await open(path, 'r');
  try {
    return await readAt(handle, 0, 4096);
  } finally {
    await handle.close();
  }
}

/** Reads up to `length` bytes at `position`. */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/**
 * Reads an event log file into an {@link InteractionLog}, streaming it in
 * chunks. Rows keep file order; timestamps become milliseconds (CSV and
 * NDJSON `timestamp` are unix seconds, NDJSON `ts` is milliseconds, ISO
 * dates are accepted, and a numeric `timestamp` of 1e11 or more is taken as
 * milliseconds). Malformed lines, unknown event types and events without an
 * item are skipped and counted, never fatal.
 *
 * CSV needs a header naming at least the user and item columns
 * (`user,item,timestamp,type`; `session`, `item_id`, `ts`, `event` and
 * similar names are understood); without a recognisable header the columns
 * are taken in that order. NDJSON lines are objects with the same fields,
 * or the SDK's collected events (`{ id, type, ts, session, itemId, items }`,
 * where `user`/`userId` if present wins over `session`, and a purchase with
 * `items` gives one row per line item).
 *
 * @param path - The file to read.
 * @param options - See {@link ReadEventsOptions}.
 * @returns The log, with `userIds` and the `skipped` count.
 * @throws LikewiseError `INVALID_INPUT` when the file cannot be opened.
 * @example
 * const log = await readEvents('events.csv');
 * console.log(log.length, log.itemIds.length, log.skipped);
 */
export async function readEvents(
  path: string,
  options: ReadEventsOptions = {},
): Promise<ReadEventsResult> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException)?.code;
    throw new LikewiseError(
      'INVALID_INPUT',
      `Cannot read events file ${path}${reason ? ` (${reason})` : ''}.`,
      error,
    );
  }
  try {
    const stat = await handle.stat();
    // Reads go by position (and by range on two threads): a pipe would read as empty.
    if (!stat.isFile())
      throw new LikewiseError(
        'INVALID_INPUT',
        `Events file ${path} is not a regular file (a pipe or a directory): save the log to a file first.`,
      );
    const size = stat.size;
    const head = await readAt(handle, 0, Math.min(size, 1 << 20));
    const binary = binaryKind(head);
    if (binary)
      throw new LikewiseError(
        'INVALID_INPUT',
        `Events file ${path} looks like ${binary}, not a text log: ${EVENT_LOG_EXPECTED}.`,
      );
    let dataStart = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
    let first = dataStart;
    while (first < head.length && isSpace(head[first])) first++;
    const format =
      options.format ??
      formatFromPath(path) ??
      (head[first] === 0x7b || head[first] === 0x5b ? 'ndjson' : 'csv');
    let layout: LogLayout = { format, columns: [], hasTypeColumn: true };
    let semicolons = false;
    let headerLines = 0;
    if (format === 'csv') {
      let eol = head.indexOf(10, dataStart);
      if (eol < 0) eol = head.length;
      const line = head.toString('utf8', dataStart, eol).replace(/\r$/, '');
      const parsed = csvLayout(line);
      layout = parsed.layout;
      semicolons = line.includes(';') && !line.includes(',');
      if (parsed.header) {
        dataStart = Math.min(eol + 1, size);
        headerLines = 1;
      }
    }
    // Size the columns from the average line length of the first megabyte.
    let lines = 0;
    for (let at = head.indexOf(10); at >= 0; at = head.indexOf(10, at + 1)) lines++;
    const perLine = lines > 0 ? head.length / lines : 32;
    const rowsIn = (bytes: number, slack: number) => Math.ceil((bytes / perLine) * slack) + 1024;
    const shared = options.shared ?? false;
    const chunkSize = options.chunkSize ?? 1 << 22;

    // Split at the first line start after the middle; the second half goes to `parallel`.
    let split = size;
    if (options.parallel && size - dataStart >= (options.parallelMinBytes ?? PARALLEL_MIN_BYTES)) {
      const mid = dataStart + Math.floor((size - dataStart) / 2);
      const window = await readAt(handle, mid, 1 << 20);
      const nl = window.indexOf(10);
      if (nl >= 0 && mid + nl + 1 < size) split = mid + nl + 1;
    }
    const parallel = split < size ? options.parallel : undefined;
    // In shared memory the other half is parsed straight into this thread's
    // columns, after room for this half's rows: merging then moves rows
    // within memory already written, instead of filling new pages (a page
    // fault each: `npm run bench` shows the read phase's time).
    let capacity = rowsIn(size, 1.02);
    let theirs = rowsIn(size - split, 1.02);
    let region: RowRegion | undefined;
    if (parallel && shared) {
      capacity = rowsIn(split - dataStart, REGION_SLACK);
      theirs = rowsIn(size - split, REGION_SLACK);
      const whole = new RowSink(capacity + theirs, true);
      const { users, items, types, times } = whole;
      region = { users, items, types, times, at: capacity };
    }
    const builder = new LogBuilder(capacity, layout, shared, region && { ...region, at: 0 });
    builder.line = headerLines;
    builder.users.keepStrings = options.userIds ?? true;
    builder.users.onGrow = options.collect;
    builder.items.onGrow = options.collect;
    const other = parallel?.({
      path,
      start: split,
      end: size,
      layout,
      capacity: theirs,
      into: region,
    });
    // Keep a rejected worker from becoming an unhandled rejection while we parse.
    other?.catch(() => {});
    const ownBytes = split - dataStart;
    await parseRange(handle, builder, format, dataStart, split, chunkSize, (done) =>
      options.onProgress?.(Math.round((done / Math.max(1, ownBytes)) * size * 0.98), size),
    );
    if (other) {
      const part = await other;
      const userMap = builder.users.merge(part.userKeys);
      const itemMap = builder.items.merge(part.itemKeys);
      const rows = builder.rows;
      const base = rows.length;
      // Both halves stayed in their parts of the columns: the other's rows
      // move down to follow this one's (forwards: each is read before a
      // write can reach it).
      const inPlace = region !== undefined && part.inPlace && rows.inRegion;
      if (region && inPlace) rows.widen(region);
      else rows.reserve(base + part.length);
      const { users, items, types, times } = rows;
      for (let r = 0; r < part.length; r++) {
        users[base + r] = userMap[part.users[r]];
        items[base + r] = itemMap[part.items[r]];
      }
      if (region && inPlace) {
        types.copyWithin(base, region.at, region.at + part.length);
        times.copyWithin(base, region.at, region.at + part.length);
      } else {
        types.set(part.types.subarray(0, part.length), base);
        times.set(part.times.subarray(0, part.length), base);
      }
      rows.length = base + part.length;
      builder.skipped += part.skipped;
      // The other half's line numbers count from its own start.
      for (let r = 0; r < part.skipCounts.length; r++) {
        builder.skipCounts[r] += part.skipCounts[r];
        if (builder.skipFirst[r] === 0 && part.skipFirst[r] > 0)
          builder.skipFirst[r] = part.skipFirst[r] + builder.line;
      }
    }
    options.onProgress?.(size, size);
    const rows = builder.rows;
    return {
      itemIds: builder.items.ids,
      userIds: builder.users.ids,
      userCount: builder.users.count,
      ...columnsOf(rows),
      skipped: builder.skipped,
      skips: skippedLines(builder.skipCounts, builder.skipFirst),
      semicolons,
      format,
    };
  } finally {
    await handle.close();
  }
}
