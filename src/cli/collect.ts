/**
 * `likewise collect`: a reference collector for the SDK's `endpoint` option,
 * on node:http only. It appends every accepted event as one NDJSON line,
 * durably (written and fsynced before the 200), so `likewise train` and
 * `likewise report` can read the file.
 */
import { createReadStream, existsSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { LikewiseError } from '../errors';
import { CUSTOMER_HASH, checkIdentifyLink, type IdentifyLink } from '../metrics/identifyLink';
import { validateEvent } from '../metrics/validateEvent';
import type { LikewiseEvent } from '../types';
import { COLLECT_CLICKHOUSE_OPTIONS, clickHouseSinkOf } from './clickhouse/clickHouseOptions';
import type { EventSink } from './clickhouse/clickHouseSink';
import { loadProfileIndex, readProfile } from './profileIndex';
import { defineCommand, integerOption, numberOption, runCommand, UsageError } from './runCommand';
import type { CliCommand } from './types';

/** Options of {@link createCollector}. */
export interface CollectorOptions {
  /** NDJSON file events are appended to (created when missing). */
  out: string;
  /** Port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to bind. Default `127.0.0.1` (local only). */
  host?: string;
  /**
   * Origins allowed to send from a browser (`https://shop.example`), or `*`.
   * Written as URLs are fine (`https://Shop.example/`): each is reduced to its
   * origin. Default none. An unusable one throws `INVALID_OPTION`.
   */
  origins?: readonly string[];
  /** Sustained POST requests per second per client IP. Default 10. */
  rate?: number;
  /**
   * Behind a reverse proxy: the client is the last address in
   * `X-Forwarded-For` (what the proxy saw), not the proxy. Default false.
   */
  trustProxy?: boolean;
  /** Requests a client may burst before the rate applies. Default 2 x rate. */
  burst?: number;
  /** Largest body in bytes. Default 65536 (the browser's beacon budget). */
  maxBodyBytes?: number;
  /** Most events per batch. Default 2000 (more than fit in 64 KB as the SDK writes them). */
  maxEvents?: number;
  /**
   * Most event ids remembered to drop duplicates, at least 2. Default
   * 1,000,000 (about 100 MB of ids). The newest `maxIds / 2` accepted ids are
   * always remembered; an id older than that may be stored again when it is
   * sent again (see the README's duplicate guarantee).
   */
  maxIds?: number;
  /** How long `close()` lets open requests finish before it cuts them, in ms. Default 2000. */
  closeGraceMs?: number;
  /** Clock in ms (tests). Default `Date.now`. */
  now?: () => number;
  /**
   * Answer the SDK's `profileEndpoint` at `GET /profile?customer=<hash>`
   * with the events of every visitor an identify link ties to that customer
   * (a JSON array, newest 1000). Whoever knows a customer's hash gets that
   * history: serve it only behind the shop's own login check. Default false.
   */
  profiles?: boolean;
  /** Write and server errors. Default: ignored. */
  onError?: (error: unknown) => void;
  /**
   * Also stores each batch's new events there (e.g. ClickHouse), before the
   * file; a batch it refuses is not written and not acknowledged (500).
   */
  sink?: EventSink;
  /**
   * A batch held invalid events: how many for each reason (`validateEvent`'s
   * message), and the batch size. Default: ignored.
   */
  onInvalid?: (reasons: Record<string, number>, batch: number) => void;
}

/** A running collector. */
export interface Collector {
  server: Server;
  /** The bound port. */
  port: number;
  /** `http://host:port`. */
  url: string;
  /** Number of events in the file (lines with an id, counted at start, then each one appended). */
  size(): number;
  /** Requests whose client went away before its body was read (not errors: nothing was acknowledged). */
  aborted(): number;
  /**
   * Closes the output and opens it again by name, after the writes under
   * way (log rotation: `likewise collect` does this on SIGHUP). A new file
   * is created when the old one was moved away; ids already seen are still
   * remembered.
   */
  reopen(): Promise<void>;
  /** Stops accepting, waits for pending writes, closes the file. */
  close(): Promise<void>;
}

interface Bucket {
  tokens: number;
  at: number;
}

const PATHS = new Set(['/events', '/collect']);

/** Where the profile endpoint answers (with `profiles`). */
const PROFILE_PATH = '/profile';

/** `https://Shop.example/` -> `https://shop.example`; `*` stays. Throws `INVALID_OPTION` for anything else. */
function originOf(value: string): string {
  if (value === '*') return value;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {}
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:')
    throw new LikewiseError(
      'INVALID_OPTION',
      `origin must be like https://shop.example (or *), got ${JSON.stringify(value)}`,
    );
  return url.origin;
}

/**
 * The rate limit's key for a request: the socket's address, or with
 * `trustProxy` the last `X-Forwarded-For` entry; an IPv6 address by its /64
 * (one client's usual allocation, so it cannot dodge the limit per address).
 */
function clientOf(req: IncomingMessage, trustProxy?: boolean): string {
  const forwarded = trustProxy ? req.headers['x-forwarded-for'] : undefined;
  const list = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',');
  const ip = list[list.length - 1].trim() || req.socket.remoteAddress || 'unknown';
  if (!ip.includes(':') || ip.startsWith('::ffff:')) return ip;
  const [head, tail] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return groups.slice(0, 4).join(':');
}

/**
 * The ids of the latest accepted events, bounded: two generations, the
 * current one taking new ids until it holds `max / 2`, then becoming the
 * previous one (the older generation is forgotten). So the newest `max / 2`
 * ids are always remembered, and never more than `max`: constant-time checks
 * and a memory bound, where one unbounded set grew with every event.
 */
export class RecentIds {
  private current = new Set<string>();
  private previous = new Set<string>();
  private readonly half: number;
  constructor(max: number) {
    this.half = Math.max(1, Math.floor(max / 2));
  }
  has(id: string): boolean {
    return this.current.has(id) || this.previous.has(id);
  }
  add(id: string): void {
    if (this.current.size >= this.half) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(id);
  }
  /** Ids remembered now. */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}

/** Whether `path` exists and does not end in a newline (a crash mid-write can leave a partial last line). */
async function endsMidLine(path: string): Promise<boolean> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await fh.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await fh.close();
  }
}

/** Reads the ids already in `path` into `ids`; resolves the number of lines with an id. */
async function loadIds(path: string, ids: RecentIds): Promise<number> {
  if (!existsSync(path)) return 0;
  const lines = createInterface({
    input: createReadStream(path),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let n = 0;
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const id = (JSON.parse(line) as { id?: unknown }).id;
      if (typeof id === 'string') {
        ids.add(id);
        n++;
      }
    } catch {
      // A torn line from a crash: skipped (readers skip it too).
    }
  }
  return n;
}

/** Opens `path` for appending; a new file's directory entry is made durable too. */
async function openOut(path: string): Promise<{ file: FileHandle; needsNewline: boolean }> {
  const needsNewline = await endsMidLine(path);
  const created = !existsSync(path);
  const file = await open(path, 'a');
  if (created) {
    // Make the new file's directory entry durable too (a power cut, not only kill -9).
    try {
      const dir = await open(dirname(path), 'r');
      await dir.sync();
      await dir.close();
    } catch {
      // Not supported on every platform (Windows); the data itself is still fsynced.
    }
  }
  return { file, needsNewline };
}

/** What {@link readBody} resolves when the client went away mid-body. */
const GONE = Symbol('client gone');

/**
 * Reads a body up to `max` bytes; resolves `null` (and drains the rest) when
 * it is bigger, {@link GONE} when the client aborts (a closed tab, a lost
 * network: routine, not an error).
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null | typeof GONE> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = Number(req.headers['content-length']) > max;
    if (over) done(null);
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (over) {
        // Drain so the client reads our 413, but not forever.
        if (size > max * 16) req.destroy();
        return;
      }
      if (size > max) {
        over = true;
        chunks.length = 0;
        done(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) done(Buffer.concat(chunks));
    });
    req.on('error', (e: NodeJS.ErrnoException) =>
      e.code === 'ECONNRESET' || e.message === 'aborted' ? done(GONE) : fail(e),
    );
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // Refused before its body was read: the connection closes after the
    // answer, so the rest of the body is never taken in.
    ...(res.req?.complete === false ? { connection: 'close' } : {}),
    ...headers,
  });
  res.end(text);
}

/**
 * Starts the reference collector.
 *
 * - `POST /events` (alias `/collect`): a JSON array of events or
 *   `{ "events": [...] }`, as `application/json` or `text/plain` (what
 *   `sendBeacon` sends, to avoid a CORS preflight). Every event is checked
 *   with `validateEvent` (ids <= 64 characters, item ids <= 256, known
 *   types...); an invalid event is left out and counted, the others are
 *   kept (the SDK drops a refused batch, so one bad event must not cost the
 *   rest); a batch with no valid event gets 400 with the first one's reason.
 *   Both answers count the invalid events by reason (`"reasons":{"type is
 *   not a known event type":2}`), and `onInvalid` hears of them.
 *   Body over `maxBodyBytes`: 413; more than `maxEvents` events: 413; empty
 *   batch: 400. Events whose id is already in the file (or twice in the
 *   batch) are dropped. Accepted events are appended as NDJSON, then the
 *   file is fsynced, then `200 {"accepted":n,"duplicates":m,"invalid":k}` is
 *   sent: an acknowledged batch survives a crash or `kill -9`. A write or
 *   fsync that fails answers 500 and records none of the batch's ids, so the
 *   retry is stored (a torn line is skipped by readers).
 * - CORS: only for configured `origins` (`OPTIONS` preflight answered 204;
 *   other origins get 403, and their POSTs are refused too, since a
 *   `text/plain` POST needs no preflight). Requests without an `Origin`
 *   header (server-to-server, curl) are accepted.
 * - Rate limit: a token bucket per client (`rate` per second, `burst`
 *   deep); over it: 429 with `Retry-After` in seconds. A client is its IP
 *   (from `X-Forwarded-For` with `trustProxy`), an IPv6 client its /64.
 * - `GET /health`: `200 {"ok":true,"events":n}`.
 * - Identify links (`{"type":"identify","visitor","customer",...}`, what
 *   `identify()` sends after consent: a hash, never the customer id) are
 *   checked, stored and deduplicated like events; with `profiles`,
 *   `GET /profile?customer=<hash>` answers the events of the visitors
 *   linked to that customer (CORS and rate limit as for POSTs).
 *
 * @param options - See {@link CollectorOptions}.
 * @example
 * const c = await createCollector({ out: 'events.ndjson', origins: ['https://shop.example'] });
 * console.log(c.url); await c.close();
 */
export async function createCollector(options: CollectorOptions): Promise<Collector> {
  const out = resolve(options.out);
  const host = options.host ?? '127.0.0.1';
  const origins = new Set((options.origins ?? []).map(originOf));
  const rate = options.rate ?? 10;
  const burst = options.burst ?? Math.max(1, 2 * rate);
  const maxBody = options.maxBodyBytes ?? 65_536;
  const maxEvents = options.maxEvents ?? 2000;
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => {});

  const maxIds = options.maxIds ?? 1_000_000;
  if (!(Number.isInteger(maxIds) && maxIds >= 2))
    throw new LikewiseError('INVALID_OPTION', `maxIds must be an integer >= 2, got ${maxIds}`);
  const ids = new RecentIds(maxIds);
  let stored = await loadIds(out, ids);
  let aborted = 0;
  let { file, needsNewline: pendingNewline } = await openOut(out);
  const profiles = options.profiles ? await loadProfileIndex(out) : undefined;
  let chain: Promise<unknown> = Promise.resolve();
  const buckets = new Map<string, Bucket>();

  /** Takes a token for `ip`; returns 0 when allowed, else seconds to wait. */
  const take = (ip: string): number => {
    const t = now();
    let b = buckets.get(ip);
    if (!b) {
      if (buckets.size >= 10_000) {
        // Forget clients whose bucket has refilled, so the map cannot grow without bound.
        for (const [k, v] of buckets)
          if (v.tokens + ((t - v.at) / 1000) * rate >= burst) buckets.delete(k);
        if (buckets.size >= 10_000) buckets.clear();
      }
      b = { tokens: burst, at: t };
      buckets.set(ip, b);
    }
    b.tokens = Math.min(burst, b.tokens + (Math.max(0, t - b.at) / 1000) * rate);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate));
  };

  /** Appends the new events of a batch and fsyncs; serialised so ids are checked and added atomically. */
  const append = (events: LikewiseEvent[]) => {
    const run = chain.then(async () => {
      const fresh: LikewiseEvent[] = [];
      const inBatch = new Set<string>();
      for (const e of events) {
        if (ids.has(e.id) || inBatch.has(e.id)) continue;
        inBatch.add(e.id);
        fresh.push(e);
      }
      if (fresh.length > 0) {
        await options.sink?.write(fresh);
        const text =
          (pendingNewline ? '\n' : '') + fresh.map((e) => JSON.stringify(e)).join('\n') + '\n';
        // Until the whole text is written, the file may end mid-line: the
        // next batch then starts on a line of its own.
        pendingNewline = true;
        // appendFile writes all of it (a single write call may write part).
        await file.appendFile(text);
        await file.sync();
        pendingNewline = false;
        for (const e of fresh) ids.add(e.id);
        stored += fresh.length;
      }
      return { accepted: fresh.length, duplicates: events.length - fresh.length };
    });
    chain = run.catch(() => {});
    return run;
  };

  /** `GET /profile?customer=<hash>`: the events of the visitors linked to that customer. */
  const answerProfile = async (
    req: IncomingMessage,
    res: ServerResponse,
    query: URLSearchParams,
    allowed: boolean,
    cors: Record<string, string>,
  ) => {
    if (req.method !== 'GET')
      return send(res, 405, { error: 'method not allowed' }, { allow: 'GET' });
    if (req.headers.origin !== undefined && !allowed)
      return send(res, 403, { error: 'origin not allowed' });
    const wait = take(clientOf(req, options.trustProxy));
    if (wait > 0)
      return send(
        res,
        429,
        { error: 'too many requests' },
        { ...cors, 'retry-after': String(wait) },
      );
    const customer = query.get('customer') ?? '';
    if (!CUSTOMER_HASH.test(customer))
      return send(
        res,
        400,
        { error: 'customer must be a SHA-256 hash (64 lowercase hex digits)' },
        cors,
      );
    const visitors = profiles?.visitors(customer);
    // Pending appends first, so a link just acknowledged is answered.
    await chain;
    return send(res, 200, visitors ? await readProfile(out, visitors) : [], cors);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let path: string;
    let query: URLSearchParams;
    try {
      ({ pathname: path, searchParams: query } = new URL(req.url ?? '/', 'http://collector'));
    } catch {
      return send(res, 400, { error: 'bad request target' }, { connection: 'close' });
    }
    const origin = req.headers.origin;
    const allowed = typeof origin === 'string' && (origins.has('*') || origins.has(origin));
    const cors: Record<string, string> = allowed
      ? { 'access-control-allow-origin': origin, vary: 'Origin' }
      : {};
    if (path === '/health') {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return send(res, 405, { error: 'method not allowed' }, { allow: 'GET' });
      return send(res, 200, { ok: true, events: stored });
    }
    if (path === PROFILE_PATH && profiles) return answerProfile(req, res, query, allowed, cors);
    if (!PATHS.has(path)) return send(res, 404, { error: 'not found' });
    if (req.method === 'OPTIONS') {
      if (!allowed) return send(res, 403, { error: 'origin not allowed' });
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'POST, OPTIONS',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    if (req.method !== 'POST')
      return send(res, 405, { error: 'method not allowed' }, { allow: 'POST, OPTIONS' });
    if (origin !== undefined && !allowed) {
      return send(res, 403, { error: 'origin not allowed' });
    }
    const wait = take(clientOf(req, options.trustProxy));
    if (wait > 0) {
      return send(
        res,
        429,
        { error: 'too many requests' },
        { ...cors, 'retry-after': String(wait) },
      );
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== '' && type !== 'application/json' && type !== 'text/plain') {
      return send(res, 415, { error: 'send application/json or text/plain' }, cors);
    }
    const raw = await readBody(req, maxBody);
    if (raw === GONE) {
      // Nothing to answer and nothing to log: the client will retry what it still has.
      aborted++;
      return;
    }
    if (raw === null) {
      return send(
        res,
        413,
        { error: `body larger than ${maxBody} bytes` },
        { ...cors, connection: 'close' },
      );
    }
    let text: string;
    try {
      // Invalid bytes would become U+FFFD, and two distinct ids one.
      text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
    } catch {
      return send(res, 400, { error: 'body is not UTF-8' }, cors);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return send(res, 400, { error: 'body is not JSON' }, cors);
    }
    const list = Array.isArray(parsed)
      ? parsed
      : Array.isArray((parsed as { events?: unknown } | null)?.events)
        ? (parsed as { events: unknown[] }).events
        : null;
    if (list === null)
      return send(res, 400, { error: 'expected an array of events or {"events":[...]}' }, cors);
    if (list.length === 0) return send(res, 400, { error: 'empty batch' }, cors);
    if (list.length > maxEvents)
      return send(res, 413, { error: `more than ${maxEvents} events` }, cors);
    const events: LikewiseEvent[] = [];
    let firstError = '';
    // Why events were left out, by reason: in the answer and the log, so a
    // shop sees what its pages send wrong without reading the stored file.
    const reasons: Record<string, number> = {};
    const links: IdentifyLink[] = [];
    for (let i = 0; i < list.length; i++) {
      // An identify link (visitor and customer hash) is stored like an event.
      const r = checkIdentifyLink(list[i]) ?? validateEvent(list[i]);
      if (r.ok) {
        if ('link' in r) links.push(r.link);
        events.push('link' in r ? (r.link as unknown as LikewiseEvent) : r.event);
      } else {
        firstError ||= `event ${i}: ${r.error}`;
        reasons[r.error] = (reasons[r.error] ?? 0) + 1;
      }
    }
    const invalid = list.length - events.length;
    if (invalid > 0) options.onInvalid?.(reasons, list.length);
    if (events.length === 0) return send(res, 400, { error: firstError, reasons }, cors);
    try {
      const result = await append(events);
      for (const link of links) profiles?.add(link);
      return send(res, 200, { ...result, invalid, ...(invalid > 0 ? { reasons } : {}) }, cors);
    } catch (e) {
      onError(e);
      return send(res, 500, { error: 'could not store events' }, cors);
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      onError(e);
      send(res, 500, { error: 'internal error' });
    });
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.on('clientError', (_e, socket) => socket.destroy());

  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', fail);
      ok();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | null = null;
  return {
    server,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    size: () => stored,
    aborted: () => aborted,
    reopen() {
      const run = chain.then(async () => {
        const next = await openOut(out);
        const old = file;
        file = next.file;
        pendingNewline = next.needsNewline;
        await old.close();
      });
      chain = run.catch(() => {});
      return run;
    },
    close() {
      closing ??= (async () => {
        await new Promise<void>((ok) => {
          server.close(() => ok());
          server.closeIdleConnections?.();
          // A client that never finishes its request must not hold the stop.
          setTimeout(() => server.closeAllConnections?.(), options.closeGraceMs ?? 2000).unref();
        });
        await chain;
        await file.close();
      })();
      return closing;
    },
  };
}

/** One log line for a batch with invalid events: `2 of 5 events invalid: 2 x type is not a known event type`. */
export function invalidLine(reasons: Record<string, number>, batch: number): string {
  const entries = Object.entries(reasons).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((n, [, c]) => n + c, 0);
  return `${total} of ${batch} events invalid: ${entries.map(([reason, n]) => `${n} x ${reason}`).join('; ')}`;
}

/** `likewise collect`'s option table. */
export const COLLECT = defineCommand({
  name: 'collect',
  summary: 'a reference collector for the SDK endpoint',
  usage: '--out FILE [options]',
  description:
    "A reference collector for the SDK's endpoint option: POST /events (or /collect)\n" +
    'takes a batch of events and appends them to FILE as NDJSON (fsynced before the\n' +
    'answer), dropping duplicate ids. GET /health answers {"ok":true}.',
  options: {
    out: { type: 'string', value: 'FILE', required: true, help: 'NDJSON file to append to' },
    port: { type: 'string', value: 'P', help: 'port; 0 picks any free port', default: '8787' },
    host: {
      type: 'string',
      value: 'H',
      help: 'interface to bind',
      default: '127.0.0.1, local only',
    },
    origin: {
      type: 'string',
      value: 'URL',
      multiple: true,
      help: 'a browser origin allowed to send (* allows any)',
    },
    rate: {
      type: 'string',
      value: 'N',
      help: 'requests per second per client IP (burst 2 x N)',
      default: '10',
    },
    'max-ids': {
      type: 'string',
      value: 'N',
      help: 'event ids remembered to drop duplicates (the newest N/2 always)',
      default: '1000000',
    },
    profiles: {
      type: 'boolean',
      help: "answer the SDK's profileEndpoint at GET /profile?customer=HASH with the\nevents of the visitors identify() linked to that customer; anyone who\nknows a customer's hash gets them: only behind your shop's login check",
    },
    'trust-proxy': {
      type: 'boolean',
      help: "behind a reverse proxy: the client is the last address in\nX-Forwarded-For (else every visitor shares the proxy's limit)",
    },
    ...COLLECT_CLICKHOUSE_OPTIONS,
  },
});

/**
 * `likewise collect`: runs {@link createCollector} until SIGINT or SIGTERM,
 * then closes cleanly and resolves 0. SIGHUP reopens the output file (after
 * a log rotation moved it away). Usage errors resolve 2, start failures
 * (port in use, file not writable) 1.
 */
export const run: CliCommand = (argv, io) =>
  runCommand(COLLECT, argv, io, async (values) => {
    const port = integerOption('port', values.port, 8787, 0, 65535);
    const rate = numberOption('rate', values.rate, 10, { min: 0, exclusive: true });
    const maxIds = integerOption('max-ids', values['max-ids'], 1_000_000, 2);
    for (const o of values.origin ?? []) {
      try {
        originOf(o);
      } catch {
        throw new UsageError(`--origin must be like https://shop.example (or *), got ${o}`);
      }
    }
    const out = resolve(io.cwd, values.out);
    const sink = await clickHouseSinkOf(values);
    let collector: Collector;
    try {
      collector = await createCollector({
        out,
        port,
        host: values.host,
        origins: values.origin,
        rate,
        trustProxy: values['trust-proxy'],
        maxIds,
        sink,
        profiles: values.profiles,
        onError: (e) =>
          io.stderr.write(`likewise collect: ${(e as Error)?.message ?? String(e)}\n`),
        onInvalid: (reasons, batch) =>
          io.stderr.write(`likewise collect: ${invalidLine(reasons, batch)}\n`),
      });
    } catch (e) {
      io.stderr.write(`likewise collect: cannot start: ${(e as Error).message}\n`);
      await sink?.close();
      return 1;
    }
    io.stdout.write(
      `likewise collect: listening on ${collector.url} (POST /events), appending to ${out}` +
        ` (${collector.size()} events already there)\n`,
    );
    if (!values.origin?.length) {
      io.stdout.write(
        'likewise collect: no --origin given: browsers on other origins are refused.\n',
      );
    }
    const hup = () => {
      collector.reopen().then(
        () => io.stdout.write(`likewise collect: reopened ${out}\n`),
        (e) => io.stderr.write(`likewise collect: cannot reopen ${out}: ${(e as Error).message}\n`),
      );
    };
    process.on('SIGHUP', hup);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        process.off('SIGHUP', hup);
        done();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await collector.close();
    await sink?.close();
    io.stdout.write('likewise collect: stopped.\n');
    return 0;
  });
