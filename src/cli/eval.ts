/**
 * `likewise eval --events FILE [--k N] [--tune] [--json]`: the offline
 * evaluation of EVAL.md on a shop's own log: the SDK's default settings, the
 * reference item-kNN and popularity side by side, and with `--tune` the
 * configuration the tuner chooses on a validation split of the training part.
 */
import { resolve } from 'node:path';
import { DEFAULT_K } from '../engine/buildNeighbours';
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
import { explainSkips } from './describeSkips';
import { readEvents } from './readEvents';
import { defineCommand, integerOption, runCommand } from './runCommand';
import { runTuner } from './runTuner';
import type { CliCommand } from './types';

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** `likewise eval`'s option table. */
export const EVAL = defineCommand({
  name: 'eval',
  summary: 'measure HR@10 / NDCG@10 / coverage on an event log',
  usage: '--events FILE [options]',
  description:
    "Measures the SDK's default model, the reference item-kNN and popularity on an\n" +
    "event log (leave-last-out: each user's last item is hidden and ranked), as in\n" +
    'docs/evaluation.md: hit rate, NDCG and catalogue coverage at 10.',
  options: {
    events: {
      type: 'string',
      value: 'FILE',
      required: true,
      help: 'CSV (user,item,timestamp,type; unix seconds) or NDJSON',
    },
    k: {
      type: 'string',
      value: 'N',
      help: "the default model's neighbours per item (the reference keeps 50)",
      default: String(
        DEFAULT_MODEL.kind === 'neighbours' ? (DEFAULT_MODEL.build.k ?? DEFAULT_K) : DEFAULT_K,
      ),
    },
    tune: {
      type: 'boolean',
      help: 'also choose a configuration on a validation split of the training part\n(each user\'s second-to-last item) and report it as "tuned"; prints every\ncandidate and the winner (to stderr with --json)',
    },
    json: { type: 'boolean', help: 'print JSON instead of a table' },
  },
});

/**
 * Runs the evaluation. `--k` sets the default model's neighbourhood size
 * (the reference stays at 50). Resolves 0, 1 when the file cannot be read,
 * 2 on a usage error.
 *
 * @example await run(['--events', 'events.csv', '--json'], { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
 */
export const run: CliCommand = (argv, io) =>
  runCommand(EVAL, argv, io, async (values) => {
    const events = values.events;
    const k = values.k === undefined ? undefined : integerOption('k', values.k, 0, 1);
    const json = values.json ?? false;
    let log: Awaited<ReturnType<typeof readEvents>>;
    try {
      log = await readEvents(resolve(io.cwd, events));
    } catch (e) {
      io.stderr.write(
        `likewise eval: cannot read ${events}: ${isLikewiseError(e) || e instanceof Error ? e.message : String(e)}\n`,
      );
      return 1;
    }
    if (!explainSkips((text) => io.stderr.write(text), 'eval', events, log)) return 1;
    const prepared = prepareEvaluation(log);
    if (prepared.split.testItems.length === 0) {
      io.stderr.write(
        `likewise eval: no user in ${events} has two or more distinct items, so none can be held out and ranked (${log.length} events, ${log.userCount} users): the evaluation needs users with histories.\n`,
      );
      return 1;
    }
    let config: ModelConfig | undefined;
    let tuning: Record<string, number> | undefined;
    if (values.tune) {
      // With --json the candidates go to stderr: stdout is one JSON object.
      const tuned = runTuner(log, json ? io.stderr : io.stdout);
      config = tuned.config;
      tuning = {
        candidates: tuned.candidates,
        ms: round(tuned.ms, 0),
        cpuMs: round(tuned.cpuMs, 0),
      };
    }
    const base = DEFAULT_MODEL as Extract<EvaluateModel, { kind: 'neighbours' }>;
    const defaultModel: EvaluateModel =
      k === undefined ? base : { ...base, build: { ...base.build, k } };
    const models: Record<string, EvaluateModel> = {
      default: defaultModel,
      reference: REFERENCE_MODEL,
      popularity: { kind: 'popularity' },
    };
    // The tuned model is rebuilt from the whole training part and scored once on the test items.
    if (config) models.tuned = modelOf(config);
    const result = {
      users: prepared.split.testItems.length,
      items: prepared.split.catalogueSize,
      models: {} as Record<string, ModelMetrics>,
    };
    for (const [name, model] of Object.entries(models))
      result.models[name] = scoreModel(prepared, model);
    if (json) {
      const out: Record<string, Record<string, unknown>> = {};
      for (const [name, m] of Object.entries(result.models)) {
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
        `${JSON.stringify({ users: result.users, items: result.items, models: out, ...(tuning ? { tuning } : {}) })}\n`,
      );
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
  });
