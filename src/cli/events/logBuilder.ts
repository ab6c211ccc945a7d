/**
 * The rows of an event log as its lines are parsed (by `csvLine` and
 * `ndjsonLine`): every good line becomes a row, its ids interned from the
 * bytes in batches; every bad one is counted.
 */
import { isUtf8 } from 'node:buffer';
import { BATCH, ByteInterner } from './byteInterner';
import { MAX_ID_BYTES, plausibleTime } from './fieldValues';
import { type LogLayout, ROLE_ITEM, ROLE_TIME_S, ROLE_TYPE, ROLE_USER } from './logLayout';
import { type RowRegion, RowSink } from './rowSink';

/**
 * Why a line was skipped, by reason code (an index into this list): what
 * `likewise train` and `eval` print, with the first line of each.
 */
export const SKIP_REASONS = [
  'no user',
  'no item',
  'unknown event type',
  'time missing or unreadable',
  'time after the year 2100 (likewise reads unix seconds or milliseconds: microseconds?)',
  'id over 1 KiB',
  'wrong column count',
  'unbalanced quotes',
  'not JSON, or not an event object',
] as const;

export const SKIP_NO_USER = 0;
export const SKIP_NO_ITEM = 1;
export const SKIP_TYPE = 2;
export const SKIP_TIME = 3;
export const SKIP_TIME_SCALE = 4;
export const SKIP_ID_LENGTH = 5;
export const SKIP_COLUMNS = 6;
export const SKIP_QUOTES = 7;
export const SKIP_JSON = 8;

/** Most users {@link LogBuilder} reserves room for up front. */
const USER_RESERVE_MAX = 1 << 20;

/** The rows of a log, fed one parsed line at a time by the CSV and NDJSON line parsers. */
/** Whether `buf[start, end)` is UTF-8; the ASCII ids of most logs cost one scan. */
function isUtf8Id(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] >= 0x80) return isUtf8(buf.subarray(start, end));
  return true;
}

export class LogBuilder {
  readonly users = new ByteInterner();
  readonly items = new ByteInterner();
  readonly rows: RowSink;
  skipped = 0;
  /** Lines skipped per reason (indexes of {@link SKIP_REASONS}). */
  readonly skipCounts = new Float64Array(SKIP_REASONS.length);
  /** The first line (1-based) skipped for each reason; 0 for none. */
  readonly skipFirst = new Float64Array(SKIP_REASONS.length);
  /** The line being parsed, 1-based: the reader counts it up before each line. */
  line = 0;
  readonly columns: Uint8Array;
  readonly hasTypeColumn: boolean;
  /** True for the canonical `user,item,timestamp,type` columns: `csvLine` has a fast path. */
  readonly canonical: boolean;

  constructor(capacity: number, layout: LogLayout, shared: boolean, region?: RowRegion) {
    this.rows = new RowSink(capacity, shared, region);
    // Logs have many fewer users than rows; a table for one user per 8 rows
    // (at most 2^20 users, a 32 MiB table, while the columns are filled)
    // saves the doublings on big logs.
    this.users.reserve(Math.min(capacity >>> 3, USER_RESERVE_MAX));
    this.columns = Uint8Array.from(layout.columns);
    this.hasTypeColumn = layout.hasTypeColumn;
    this.canonical =
      layout.columns.join() === [ROLE_USER, ROLE_ITEM, ROLE_TIME_S, ROLE_TYPE].join();
  }

  /**
   * The one row path of every fast reader (CSV and NDJSON): a line whose
   * user, item, type and time were found in `buf` becomes a row, ids
   * interned straight from the bytes; a line missing any of them is counted
   * as skipped, and so is a time that is no plausible date (see
   * {@link plausibleTime}), an id over {@link MAX_ID_BYTES} or an id that is
   * not UTF-8 (decoded, two ids differing only in invalid bytes would become
   * one text, U+FFFD in place of each; the slow paths refuse U+FFFD). Ids are
   * interned only here, once the whole line is known to be good, so a
   * malformed line never adds a user or an item without rows.
   */
  row(
    buf: Uint8Array,
    userS: number,
    userE: number,
    userH: number,
    itemS: number,
    itemE: number,
    itemH: number,
    type: number,
    time: number,
  ): void {
    if (
      userS < 0 ||
      userE <= userS ||
      itemS < 0 ||
      itemE <= itemS ||
      userE - userS > MAX_ID_BYTES ||
      itemE - itemS > MAX_ID_BYTES ||
      type < 0 ||
      !plausibleTime(time) ||
      !isUtf8Id(buf, userS, userE) ||
      !isUtf8Id(buf, itemS, itemE)
    ) {
      this.skip(
        userS < 0 || userE <= userS
          ? SKIP_NO_USER
          : itemS < 0 || itemE <= itemS
            ? SKIP_NO_ITEM
            : userE - userS > MAX_ID_BYTES || itemE - itemS > MAX_ID_BYTES
              ? SKIP_ID_LENGTH
              : type < 0
                ? SKIP_TYPE
                : timeReason(time),
      );
      return;
    }
    if (buf !== this.batchBuf) {
      this.flush();
      this.batchBuf = buf;
    }
    const b = this.batched;
    const at = b * 3;
    const spans = this.batchSpans;
    spans[at] = userS;
    spans[at + 1] = userE;
    spans[at + 2] = userH;
    spans[BATCH * 3 + at] = itemS;
    spans[BATCH * 3 + at + 1] = itemE;
    spans[BATCH * 3 + at + 2] = itemH;
    this.batchTypes[b] = type;
    this.batchTimes[b] = time;
    this.batched = b + 1;
    if (b + 1 === BATCH) this.flush();
  }

  /** The buffer the batched rows' ids are in (one per batch). */
  private batchBuf: Uint8Array | undefined;
  /** Rows found but not yet interned. */
  private batched = 0;
  /** Per batched row: user start, end and hash, then (from BATCH * 3) the item's. */
  private readonly batchSpans = new Int32Array(BATCH * 6);
  private readonly batchTypes = new Uint8Array(BATCH);
  private readonly batchTimes = new Float64Array(BATCH);

  /**
   * Interns the batched rows' ids and appends the rows, in order. Every
   * slot the batch will read first is loaded first, in a loop whose
   * loads do not wait on each other (see {@link ByteInterner}). Called
   * when the batch is full, before the buffer its ids point into changes,
   * and before any row that does not go through the batch.
   */
  flush(): void {
    const n = this.batched;
    if (n === 0) return;
    const buf = this.batchBuf as Uint8Array;
    const spans = this.batchSpans;
    const { users, items, rows } = this;
    const I = BATCH * 3;
    let sink = 0;
    for (let b = 0; b < n; b++)
      sink += users.touch(spans[b * 3 + 2]) + items.touch(spans[I + b * 3 + 2]);
    users.sink = sink;
    rows.ensure(n);
    const { users: userCol, items: itemCol, types, times } = rows;
    let r = rows.length;
    for (let b = 0; b < n; b++) {
      const u = b * 3;
      userCol[r] = users.intern(buf, spans[u], spans[u + 1], spans[u + 2]);
      itemCol[r] = items.intern(buf, spans[I + u], spans[I + u + 1], spans[I + u + 2]);
      types[r] = this.batchTypes[b];
      times[r] = this.batchTimes[b];
      r++;
    }
    rows.length = r;
    this.batched = 0;
  }

  pushStrings(user: string, item: string, type: number, time: number): void {
    if (
      user === '' ||
      item === '' ||
      type < 0 ||
      !plausibleTime(time) ||
      Buffer.byteLength(user) > MAX_ID_BYTES ||
      Buffer.byteLength(item) > MAX_ID_BYTES ||
      // Decoded already: an invalid byte became U+FFFD, and two ids one.
      user.includes('\uFFFD') ||
      item.includes('\uFFFD')
    ) {
      this.skip(
        user === ''
          ? SKIP_NO_USER
          : item === ''
            ? SKIP_NO_ITEM
            : Buffer.byteLength(user) > MAX_ID_BYTES || Buffer.byteLength(item) > MAX_ID_BYTES
              ? SKIP_ID_LENGTH
              : type < 0
                ? SKIP_TYPE
                : timeReason(time),
      );
      return;
    }
    // Rows and new ids keep file order.
    this.flush();
    this.rows.push(this.users.internString(user), this.items.internString(item), type, time);
  }

  /** Counts a skipped line (or event) for `reason`, a `SKIP_` code. */
  skip(reason: number): void {
    this.skipped++;
    this.skipCounts[reason]++;
    if (this.skipFirst[reason] === 0) this.skipFirst[reason] = this.line;
  }
}

/** Why a time is refused: unreadable, or readable but no plausible date. */
function timeReason(time: number): number {
  return Number.isNaN(time) ? SKIP_TIME : SKIP_TIME_SCALE;
}
