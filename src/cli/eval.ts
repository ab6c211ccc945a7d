/**
 * `likewise eval --events FILE [--k N] [--json]`: the offline evaluation of
 * EVAL.md on a shop's own log: the SDK's default settings, the reference
 * item-kNN and popularity, side by side.
 */
import { resolve } from 'node:path';
import { DEFAULT_MODEL, type EvaluateModel, evaluate, REFERENCE_MODEL } from '../engine/evaluate';
import { isLikewiseError } from '../errors';
import { readEvents } from './readEvents';
import type { CliCommand, CliIo } from './types';

const USAGE = 'usage: likewise eval --events FILE [--k N] [--json]\n';

function usage(io: CliIo, message: string): number {
  io.stderr.write(`likewise eval: ${message}\n${USAGE}`);
  return 2;
}

/**
 * Runs the evaluation. `--k` sets the default model's neighbourhood size
 * (the reference stays at 50). Resolves 0, 1 when the file cannot be read,
 * 2 on a usage error.
 *
 * @example await run(['--events', 'events.csv', '--json'], { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
 */
export const run: CliCommand = async (argv, io) => {
  let events: string | undefined;
  let k: number | undefined;
  let json = false;
  for (let a = 0; a < argv.length; a++) {
    const arg = argv[a];
    if (arg === '--json') json = true;
    else if (arg === '--events' || arg === '--k') {
      const value = argv[++a];
      if (value === undefined || value.startsWith('--')) return usage(io, `${arg} needs a value`);
      if (arg === '--events') events = value;
      else {
        k = Number(value);
        if (!(Number.isInteger(k) && k >= 1))
          return usage(io, `--k must be a positive integer, got ${value}`);
      }
    } else if (arg.startsWith('--events=')) events = arg.slice(9);
    else if (arg.startsWith('--k=')) {
      k = Number(arg.slice(4));
      if (!(Number.isInteger(k) && k >= 1))
        return usage(io, `--k must be a positive integer, got ${arg.slice(4)}`);
    } else if (arg === '--help' || arg === '-h') {
      io.stdout.write(USAGE);
      return 0;
    } else return usage(io, `unknown argument ${arg}`);
  }
  if (events === undefined) return usage(io, '--events FILE is required');
  let log: Awaited<ReturnType<typeof readEvents>>;
  try {
    log = await readEvents(resolve(io.cwd, events));
  } catch (e) {
    io.stderr.write(
      `likewise eval: cannot read ${events}: ${isLikewiseError(e) || e instanceof Error ? e.message : String(e)}\n`,
    );
    return 1;
  }
  const base = DEFAULT_MODEL as Extract<EvaluateModel, { kind: 'neighbours' }>;
  const defaultModel: EvaluateModel =
    k === undefined ? base : { ...base, build: { ...base.build, k } };
  const result = evaluate(log, {
    models: {
      default: defaultModel,
      reference: REFERENCE_MODEL,
      popularity: { kind: 'popularity' },
    },
  });
  if (json) {
    const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;
    const models: Record<string, Record<string, number>> = {};
    for (const [name, m] of Object.entries(result.models))
      models[name] = {
        hr10: round(m.hr10, 6),
        ndcg10: round(m.ndcg10, 6),
        coverage10: round(m.coverage10, 6),
        buildMs: round(m.buildMs, 1),
        scoreMs: round(m.scoreMs, 1),
        ...(m.pairs === undefined ? {} : { pairs: m.pairs }),
      };
    io.stdout.write(`${JSON.stringify({ users: result.users, items: result.items, models })}\n`);
    return 0;
  }
  const lines = [
    `${events}: ${result.users} users, ${result.items} items (leave-last-out, full ranking, top 10)`,
    `${'model'.padEnd(12)}${'HR@10'.padStart(9)}${'NDCG@10'.padStart(9)}${'Cov@10'.padStart(9)}${'build ms'.padStart(10)}${'score ms'.padStart(10)}`,
  ];
  for (const [name, m] of Object.entries(result.models))
    lines.push(
      `${name.padEnd(12)}${m.hr10.toFixed(4).padStart(9)}${m.ndcg10.toFixed(4).padStart(9)}${m.coverage10.toFixed(4).padStart(9)}${m.buildMs.toFixed(0).padStart(10)}${m.scoreMs.toFixed(0).padStart(10)}`,
    );
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
};
