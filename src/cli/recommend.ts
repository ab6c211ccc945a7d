/**
 * `likewise recommend`: recommendations outside the browser (e-mail
 * campaigns, push, server-rendered pages) from the model files a shop
 * already serves, scored exactly as the browser scores them.
 */
import { resolve } from 'node:path';
import type { ScoredItem } from '../engine/recommend';
import { EVENT_TYPE_CODES } from '../engine/types';
import { isLikewiseError } from '../errors';
import type { ModelScenario } from '../model/recommendWith';
import { DEFAULT_SESSION_TIMEOUT } from '../track/createSession';
import type { LikewiseEvent } from '../types';
import { type OpenModel, openModel } from './openModel';
import { readEvents } from './readEvents';
import {
  choiceOption,
  defineCommand,
  integerOption,
  type OptionValues,
  runCommand,
  UsageError,
} from './runCommand';
import type { CliCommand, CliIo } from './types';

const TYPES: readonly ModelScenario[] = ['for-you', 'similar', 'bought-together'];

/** `likewise recommend`'s option table. */
export const RECOMMEND = defineCommand({
  name: 'recommend',
  summary: 'recommendations from model files, per user or item (e-mail, push, server pages)',
  usage: '--model DIR|URL [--events FILE] [options]',
  description:
    'Recommendations from the model files `likewise train` wrote, scored as the\n' +
    "browser scores them: one answer per user of --events (from that user's\n" +
    'history), or one for --item.',
  options: {
    model: {
      type: 'string',
      value: 'DIR|URL',
      required: true,
      help: 'the model directory (or its manifest.json), or its URL',
    },
    events: {
      type: 'string',
      value: 'FILE',
      help: "users' event logs (CSV or NDJSON, as train reads): one answer per user",
    },
    user: { type: 'string', value: 'U', help: 'only this user of --events' },
    item: {
      type: 'string',
      value: 'ID',
      help: 'the item of similar / bought-together (without --events: one answer)',
    },
    type: {
      type: 'string',
      value: 'NAME',
      help: 'for-you, similar or bought-together',
      default: 'for-you',
    },
    limit: { type: 'string', value: 'N', help: 'items per answer, 1 to 50', default: '10' },
    json: {
      type: 'boolean',
      help: 'NDJSON: one line per user, {"user","items":[{"id","score","reason"}]}',
    },
  },
});

/** Checked `likewise recommend` arguments. */
interface RecommendArgs {
  model: string;
  events?: string;
  user?: string;
  item?: string;
  type: ModelScenario;
  limit: number;
  json: boolean;
}

/** The arguments, checked; throws a `UsageError` naming the first bad one. */
function recommendArgs(values: OptionValues<(typeof RECOMMEND)['options']>): RecommendArgs {
  const type = choiceOption('type', values.type, TYPES, 'for-you');
  const limit = integerOption('limit', values.limit, 10, 1, 50);
  if (values.events === undefined) {
    if (type === 'for-you') throw new UsageError('--type for-you needs --events FILE');
    if (values.item === undefined)
      throw new UsageError(`--type ${type} needs --item ID or --events FILE`);
    if (values.user !== undefined) throw new UsageError('--user needs --events FILE');
  }
  if (type === 'similar' && values.item === undefined)
    throw new UsageError('--type similar needs --item ID');
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
export const run: CliCommand = (argv, io) =>
  runCommand(RECOMMEND, argv, io, async (values) => {
    const args = recommendArgs(values);
    const t0 = performance.now();
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
    const t1 = performance.now();
    let log: Log;
    try {
      log = await readEvents(resolve(io.cwd, args.events));
    } catch (e) {
      io.stderr.write(
        `likewise recommend: cannot read ${args.events}: ${isLikewiseError(e) || e instanceof Error ? e.message : String(e)}\n`,
      );
      return 1;
    }
    let only: number | undefined;
    if (args.user !== undefined) {
      only = log.userIds.indexOf(args.user);
      if (only < 0) {
        io.stderr.write(`likewise recommend: no events of user ${args.user} in ${args.events}\n`);
        return 1;
      }
    }
    const t2 = performance.now();
    const histories = byUser(log);
    const from = only ?? 0;
    const to = only === undefined ? log.userCount : only + 1;
    for (let u = from; u < to; u++) {
      const events = historyOf(log, histories, u);
      out.write(line(log.userIds[u], model.recommend({ ...request, events }), args.json));
    }
    out.flush();
    const t3 = performance.now();
    const s = (ms: number) => (ms / 1000).toFixed(2);
    // On stderr: stdout stays the answers only.
    io.stderr.write(
      `likewise recommend: ${to - from} users in ${s(t3 - t2)} s (${Math.round(((to - from) * 1000) / Math.max(1e-3, t3 - t2))} users/s); model loaded in ${s(t1 - t0)} s, events read in ${s(t2 - t1)} s\n`,
    );
    return 0;
  });

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
