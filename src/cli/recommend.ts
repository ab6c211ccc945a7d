/**
 * `likewise recommend`: recommendations outside the browser (e-mail
 * campaigns, push, server-rendered pages) from the model files a shop
 * already serves, scored exactly as the browser scores them.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ScoredItem } from '../engine/recommend';
import { EVENT_TYPE_CODES } from '../engine/types';
import { isLikewiseError } from '../errors';
import type { ModelScenario } from '../model/recommendWith';
import { DEFAULT_SESSION_TIMEOUT } from '../track/createSession';
import type { LikewiseEvent } from '../types';
import { type OpenModel, openModel } from './openModel';
import { readEvents } from './readEvents';
import type { CliCommand, CliIo } from './types';

const USAGE = `usage: likewise recommend --model DIR|URL [--events FILE] [--user U] [--item ID]
                          [--type for-you|similar|bought-together] [--limit 10] [--json]

Recommendations from model files, scored as the browser scores them.

  --model DIR|URL   the model directory (or its manifest.json), or its URL
  --events FILE     users' event logs (CSV or NDJSON, as train reads): one
                    answer per user, from that user's history
  --user U          only this user of --events
  --item ID         the item of similar / bought-together (without --events:
                    one answer for the item)
  --type NAME       for-you (default), similar or bought-together
  --limit N         items per answer, 1 to 50 (default 10)
  --json            NDJSON: one line per user, {"user","items":[{"id","score","reason"}]}
  --help            this text
`;

const TYPES: readonly ModelScenario[] = ['for-you', 'similar', 'bought-together'];

function usage(io: CliIo, message: string): number {
  io.stderr.write(`likewise recommend: ${message}\n\n${USAGE}`);
  return 2;
}

interface RecommendArgs {
  model: string;
  events?: string;
  user?: string;
  item?: string;
  type: ModelScenario;
  limit: number;
  json: boolean;
}

/** The arguments, or the usage error's message. */
function readArgs(argv: string[]): RecommendArgs | 'help' | string {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    const message = (e as Error).message;
    const unknown = message.match(/Unknown option '([^']+)'/);
    if (unknown) return `unknown option ${unknown[1]}`;
    const missing = message.match(/Option '(--[a-z-]+)[^']*' argument missing/);
    if (missing) return `${missing[1]} needs a value`;
    return message;
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (positionals.length > 0) return `unexpected argument ${positionals[0]}`;
  for (const name of ['model', 'events', 'user', 'item', 'type', 'limit'] as const)
    if (values[name]?.startsWith('--')) return `--${name} needs a value`;
  if (values.model === undefined) return '--model DIR|URL is required';
  const type = (values.type ?? 'for-you') as ModelScenario;
  if (!TYPES.includes(type))
    return `--type must be for-you, similar or bought-together, got ${values.type}`;
  const limit = values.limit === undefined ? 10 : Number(values.limit);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 50))
    return `--limit must be an integer from 1 to 50, got ${values.limit}`;
  if (values.events === undefined) {
    if (type === 'for-you') return '--type for-you needs --events FILE';
    if (values.item === undefined) return `--type ${type} needs --item ID or --events FILE`;
  }
  if (values.user !== undefined && values.events === undefined) return '--user needs --events FILE';
  if (type === 'similar' && values.item === undefined && values.events !== undefined)
    return '--type similar needs --item ID';
  return {
    model: values.model,
    events: values.events,
    user: values.user,
    item: values.item,
    type,
    limit,
    json: values.json ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      events: { type: 'string' },
      user: { type: 'string' },
      item: { type: 'string' },
      type: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** One answer as an NDJSON line or a text line. */
function line(user: string | undefined, items: ScoredItem[], json: boolean): string {
  if (json)
    return `${JSON.stringify({ ...(user === undefined ? {} : { user }), items: items.map(({ id, score, reason }) => ({ id, score, reason })) })}\n`;
  return `${user === undefined ? '' : `${user}\t`}${items.map((s) => s.id).join(' ')}\n`;
}

/** Output in blocks: one write per thousand lines. */
function buffered(io: CliIo): { write(text: string): void; flush(): void } {
  let parts: string[] = [];
  return {
    write(text) {
      parts.push(text);
      if (parts.length >= 1000) this.flush();
    },
    flush() {
      if (parts.length) io.stdout.write(parts.join(''));
      parts = [];
    },
  };
}

/**
 * Runs `likewise recommend`. Resolves 0, 1 when the model or the log
 * cannot be read, 2 on a usage error.
 *
 * @example await run(['--model', 'public/model', '--events', 'events.csv', '--json'], { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
 */
export const run: CliCommand = async (argv, io) => {
  const args = readArgs(argv);
  if (args === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (typeof args === 'string') return usage(io, args);
  let model: OpenModel;
  try {
    model = await openModel(args.model, { cwd: io.cwd });
  } catch (e) {
    io.stderr.write(
      `likewise recommend: cannot load the model ${args.model}: ${isLikewiseError(e) || e instanceof Error ? e.message : String(e)}\n`,
    );
    return 1;
  }
  const out = buffered(io);
  const request = { type: args.type, itemId: args.item, limit: args.limit };
  if (args.events === undefined) {
    out.write(line(undefined, model.recommend(request), args.json));
    out.flush();
    return 0;
  }
  let log: Awaited<ReturnType<typeof readEvents>>;
  try {
    log = await readEvents(resolve(io.cwd, args.events));
  } catch (e) {
    io.stderr.write(
      `likewise recommend: cannot read ${args.events}: ${isLikewiseError(e) || e instanceof Error ? e.message : String(e)}\n`,
    );
    return 1;
  }
  const userIds = log.userIds ?? [];
  let only: number | undefined;
  if (args.user !== undefined) {
    only = userIds.indexOf(args.user);
    if (only < 0) {
      io.stderr.write(`likewise recommend: no events of user ${args.user} in ${args.events}\n`);
      return 1;
    }
  }
  const histories = byUser(log);
  const from = only ?? 0;
  const to = only === undefined ? log.userCount : only + 1;
  for (let u = from; u < to; u++) {
    const events = historyOf(log, histories, u);
    out.write(line(userIds[u], model.recommend({ ...request, events }), args.json));
  }
  out.flush();
  return 0;
};

type Log = Awaited<ReturnType<typeof readEvents>>;

/** Each user's rows (CSR), in time order, file order on equal times. */
function byUser(log: Log): { offsets: Uint32Array; rows: Uint32Array } {
  const offsets = new Uint32Array(log.userCount + 1);
  for (let r = 0; r < log.length; r++) offsets[log.users[r] + 1]++;
  for (let u = 0; u < log.userCount; u++) offsets[u + 1] += offsets[u];
  const next = offsets.slice(0, log.userCount);
  const rows = new Uint32Array(log.length);
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
function historyOf(
  log: Log,
  h: { offsets: Uint32Array; rows: Uint32Array },
  u: number,
): LikewiseEvent[] {
  const events: LikewiseEvent[] = [];
  let session = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (let p = h.offsets[u]; p < h.offsets[u + 1]; p++) {
    const r = h.rows[p];
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
