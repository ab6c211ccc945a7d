/**
 * `likewise recommend`: recommendations outside the browser (e-mail
 * campaigns, push, server-rendered pages) from the model files a shop
 * already serves, scored exactly as the browser scores them.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { ScoredItem } from '../engine/recommend';
import { isLikewiseError } from '../errors';
import type { ModelScenario } from '../model/recommendWith';
import { type ModelFiles, modelOf, readModel } from './openModel';
import { type ParsedEventRange, readEvents } from './readEvents';
import { batchScorer, flattenModel, groupRows } from './recommendBatch';
import { recommendInWorkers } from './recommendWorkers';
import {
  choiceOption,
  defineCommand,
  integerOption,
  type OptionValues,
  runCommand,
  UsageError,
} from './runCommand';
import { runWorkerTask, workerEntry } from './runWorkerTask';
import type { CliCommand } from './types';

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
    threads: {
      type: 'string',
      value: 'N',
      help: 'threads scoring users',
      default: 'up to 2 from 10,000 users on',
    },
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
  /** Undefined: chosen by the number of users. */
  threads?: number;
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
    threads:
      values.threads === undefined ? undefined : integerOption('threads', values.threads, 1, 1, 64),
    json: values.json ?? false,
  };
}

/** One answer as an NDJSON line or a text line. */
function line(user: string | undefined, items: ScoredItem[], json: boolean): string {
  if (json)
    return `${JSON.stringify({ ...(user === undefined ? {} : { user }), items: items.map(({ id, score, reason }) => ({ id, score, reason })) })}\n`;
  return `${user === undefined ? '' : `${user}\t`}${items.map((s) => s.id).join(' ')}\n`;
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
    let files: ModelFiles;
    try {
      files = await readModel(args.model, { cwd: io.cwd });
    } catch (e) {
      io.stderr.write(
        `likewise recommend: cannot load the model ${args.model}: ${isLikewiseError(e) || e instanceof Error ? e.message : String(e)}\n`,
      );
      return 1;
    }
    const request = { type: args.type, itemId: args.item, limit: args.limit };
    if (args.events === undefined) {
      io.stdout.write(line(undefined, modelOf(files).recommend(request), args.json));
      return 0;
    }
    const t1 = performance.now();
    const entry = workerEntry();
    let log: Log;
    try {
      log = await readEvents(resolve(io.cwd, args.events), {
        shared: true,
        parallel:
          entry === undefined
            ? undefined
            : (task) => runWorkerTask<ParsedEventRange>(entry, 'readEventsRange', task),
      });
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
    const users = only === undefined ? log.userCount : 1;
    const threads = Math.min(
      args.threads ?? (users >= 10_000 ? Math.min(2, availableParallelism()) : 1),
      Math.ceil(users / 64),
    );
    const shared = threads > 1 && entry !== undefined;
    const batch = groupRows(log, shared);
    const flat = flattenModel(files, shared);
    const asked = { type: args.type, item: args.item, limit: args.limit, json: args.json };
    const t2 = performance.now();
    const cpu = process.cpuUsage();
    if (shared) {
      // Chunks small enough to keep both threads busy to the end.
      const chunk = Math.max(64, Math.min(4096, Math.ceil(users / (threads * 8))));
      await recommendInWorkers(
        entry,
        threads,
        { flat, log: batch, request: asked, chunk, users },
        (bytes) => io.stdout.write(bytes),
      );
    } else {
      const { lines } = batchScorer(flat, batch, asked);
      const from = only ?? 0;
      for (let u = from; u < from + users; u += 4096)
        io.stdout.write(lines(u, Math.min(from + users, u + 4096)));
    }
    const t3 = performance.now();
    const used = process.cpuUsage(cpu);
    const s = (ms: number) => (ms / 1000).toFixed(2);
    const rate = (ms: number) => Math.round((users * 1000) / Math.max(1e-3, ms));
    const cpuMs = (used.user + used.system) / 1000;
    // On stderr: stdout stays the answers only.
    io.stderr.write(
      `likewise recommend: ${users} users in ${s(t3 - t2)} s on ${shared ? threads : 1} thread${shared && threads > 1 ? 's' : ''} (${rate(t3 - t2)} users/s; CPU ${s(cpuMs)} s, ${rate(cpuMs)} users per CPU second); model loaded in ${s(t1 - t0)} s, events read and grouped, model arrays made in ${s(t2 - t1)} s\n`,
    );
    return 0;
  });

type Log = Awaited<ReturnType<typeof readEvents>>;
