/**
 * `likewise eval --events FILE [--k N] [--tune] [--json]`: the offline
 * evaluation of EVAL.md on a shop's own log: the SDK's default settings,
 * the reference item-kNN and popularity side by side, and with `--tune` the
 * configuration the tuner chooses on a validation split of the training part.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  DEFAULT_MODEL,
  type EvaluateModel,
  type ModelMetrics,
  prepareEvaluation,
  REFERENCE_MODEL,
  scoreModel,
} from '../engine/evaluate';
import { type ModelConfig, modelOf } from '../engine/tune';
import { isLikewiseError } from '../errors';
import { readEvents } from './readEvents';
import { runTuner } from './runTuner';
import type { CliCommand, CliIo } from './types';

const USAGE = `usage: likewise eval --events FILE [--k N] [--tune] [--json]

  --events FILE   the shop's event log (CSV or NDJSON)
  --k N           neighbours of the default model (the reference stays at 50)
  --tune          also choose a configuration on a validation split of the
                  training part (each user's second-to-last item) and report
                  it as "tuned"; prints every candidate (on stderr with --json)
  --json          one JSON object on stdout
  --help          this text
`;

function usage(io: CliIo, message: string): number {
  io.stderr.write(`likewise eval: ${message}\n${USAGE}`);
  return 2;
}

/** The arguments, or the usage error's message. */
function readArgs(
  argv: string[],
): { events?: string; k?: number; json: boolean; tune: boolean; help: boolean } | string {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    const message = (e as Error).message;
    const unknown = message.match(/Unknown option '([^']+)'/);
    if (unknown) return `unknown argument ${unknown[1]}`;
    const missing = message.match(/Option '(--[a-z-]+)[^']*' argument missing/);
    if (missing) return `${missing[1]} needs a value`;
    return message;
  }
  const { values } = parsed;
  if (parsed.positionals.length > 0) return `unknown argument ${parsed.positionals[0]}`;
  for (const name of ['events', 'k'] as const)
    if (values[name]?.startsWith('--')) return `--${name} needs a value`;
  let k: number | undefined;
  if (values.k !== undefined) {
    k = Number(values.k);
    if (!(Number.isInteger(k) && k >= 1)) return `--k must be a positive integer, got ${values.k}`;
  }
  return {
    events: values.events,
    k,
    json: values.json ?? false,
    tune: values.tune ?? false,
    help: values.help ?? false,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      events: { type: 'string' },
      k: { type: 'string' },
      json: { type: 'boolean' },
      tune: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Runs the evaluation. `--k` sets the default model's neighbourhood size
 * (the reference stays at 50). Resolves 0, 1 when the file cannot be read,
 * 2 on a usage error.
 *
 * @example await run(['--events', 'events.csv', '--json'], { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
 */
export const run: CliCommand = async (argv, io) => {
  const args = readArgs(argv);
  if (typeof args === 'string') return usage(io, args);
  if (args.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  const { events, k, json } = args;
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
  let config: ModelConfig | undefined;
  let tuning: Record<string, number> | undefined;
  if (args.tune) {
    // With --json the table of candidates goes to stderr: stdout is one object.
    const tuned = runTuner(log, json ? io.stderr : io.stdout);
    config = tuned.config;
    tuning = { candidates: tuned.candidates, ms: round(tuned.ms, 0), cpuMs: round(tuned.cpuMs, 0) };
  }
  const base = DEFAULT_MODEL as Extract<EvaluateModel, { kind: 'neighbours' }>;
  const defaultModel: EvaluateModel =
    k === undefined ? base : { ...base, build: { ...base.build, k } };
  const models: Record<string, EvaluateModel> = {
    default: defaultModel,
    reference: REFERENCE_MODEL,
    popularity: { kind: 'popularity' },
  };
  if (config) models.tuned = modelOf(config);
  const prepared = prepareEvaluation(log);
  const result: Record<string, ModelMetrics> = {};
  for (const [name, model] of Object.entries(models)) result[name] = scoreModel(prepared, model);
  const users = prepared.split.testItems.length;
  const items = prepared.split.catalogueSize;
  if (json) {
    const out: Record<string, Record<string, unknown>> = {};
    for (const [name, m] of Object.entries(result)) {
      const figures = {
        hr10: round(m.hr10, 6),
        ndcg10: round(m.ndcg10, 6),
        coverage10: round(m.coverage10, 6),
      };
      out[name] =
        name === 'tuned'
          ? { ...figures, config }
          : {
              ...figures,
              buildMs: round(m.buildMs, 1),
              scoreMs: round(m.scoreMs, 1),
              ...(m.pairs === undefined ? {} : { pairs: m.pairs }),
            };
    }
    io.stdout.write(
      `${JSON.stringify({ users, items, models: out, ...(tuning ? { tuning } : {}) })}\n`,
    );
    return 0;
  }
  const lines = [
    `${events}: ${users} users, ${items} items (leave-last-out, full ranking, top 10)`,
    `${'model'.padEnd(12)}${'HR@10'.padStart(9)}${'NDCG@10'.padStart(9)}${'Cov@10'.padStart(9)}${'build ms'.padStart(10)}${'score ms'.padStart(10)}`,
  ];
  for (const [name, m] of Object.entries(result))
    lines.push(
      `${name.padEnd(12)}${m.hr10.toFixed(4).padStart(9)}${m.ndcg10.toFixed(4).padStart(9)}${m.coverage10.toFixed(4).padStart(9)}${m.buildMs.toFixed(0).padStart(10)}${m.scoreMs.toFixed(0).padStart(10)}`,
    );
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
};
