/**
 * The options of `likewise train`: its option table (what `--help` prints)
 * and their checked, defaulted values.
 */
import { availableParallelism } from 'node:os';
import {
  type BuildOptions,
  DEFAULT_BACKWARD,
  DEFAULT_K,
  DEFAULT_WINDOW,
  SIMILARITIES,
  type Similarity,
} from '../../engine/buildNeighbours';
import { DEFAULT_MODEL } from '../../engine/evaluate';
import type { ModelConfig } from '../../engine/tune';
import { DEFAULT_MAX_ITEMS_PER_USER } from '../../engine/userItemMatrix';
import type { EventType } from '../../types';
import {
  CLICKHOUSE_OPTIONS,
  type ClickHouseSource,
  clickHouseOptions,
} from '../clickhouse/clickHouseOptions';
import type { SqlDialect } from '../clickhouse/emitSql';
import type { EventFileFormat } from '../readEvents';
import {
  choiceOption,
  defineCommand,
  integerOption,
  numberOption,
  type OptionValues,
  UsageError,
} from '../runCommand';

/** A number from 0 to 1, or `fallback` when absent. */
function unitOption(flag: string, raw: string | undefined, fallback: number): number {
  const n = numberOption(flag, raw, fallback, { min: 0 });
  if (n > 1) throw new UsageError(`--${flag} must be a number from 0 to 1, got ${raw}`);
  return n;
}

/**
 * The build settings of the engine's default model (`DEFAULT_MODEL`, what
 * `likewise eval` reports as `default`), so a trained model is the model
 * that was evaluated.
 */
const DEFAULT_BUILD: BuildOptions = DEFAULT_MODEL.kind === 'neighbours' ? DEFAULT_MODEL.build : {};
const TRAIN_K = DEFAULT_BUILD.k ?? DEFAULT_K;
const TRAIN_MAX_ITEMS_PER_USER = DEFAULT_BUILD.maxItemsPerUser ?? DEFAULT_MAX_ITEMS_PER_USER;

/** `likewise train`'s option table. */
export const TRAIN = defineCommand({
  name: 'train',
  summary: 'build model files (manifest + shards) from an event log',
  usage: '--events FILE [options]\n       likewise train --clickhouse URL --table NAME [options]',
  description: 'Builds model files (manifest.json + shards) from an event log.',
  options: {
    events: {
      type: 'string',
      value: 'FILE',
      help: 'CSV (user,item,timestamp,type; unix seconds) or NDJSON',
    },
    out: { type: 'string', value: 'DIR', help: 'output directory', default: 'model' },
    k: { type: 'string', value: 'N', help: 'neighbours kept per item', default: String(TRAIN_K) },
    similarity: {
      type: 'string',
      value: 'NAME',
      help: 'cosine, jaccard, conditional or sequence (order-aware: pairs\nwithin --window steps, 1 / gap, what came before at --backward)',
      default: DEFAULT_BUILD.similarity ?? 'cosine',
    },
    window: {
      type: 'string',
      value: 'N',
      help: 'sequence: steps apart that still count, 1 to 1000',
      default: String(DEFAULT_WINDOW),
    },
    backward: {
      type: 'string',
      value: 'W',
      help: 'sequence: weight of an item met before against one met after, 0 to 1',
      default: String(DEFAULT_BACKWARD),
    },
    tune: {
      type: 'boolean',
      help: "choose the similarity, K, window, backward weight, popularity blend,\nhistory half-life and event-type weights on a validation split of the\nlog (each user's second-to-last item), print every candidate, and\nrecord the winner in manifest.json (the SDK scores with it)",
    },
    'together-k': {
      type: 'string',
      value: 'N',
      help: 'bought-together neighbours per item; 0 builds none',
      default: '20',
    },
    'trending-half-life': {
      type: 'string',
      value: 'D',
      help: 'popularity halves every D days; 0 for no decay',
      default: '7',
    },
    shards: {
      type: 'string',
      value: 'N',
      help: 'shard count, 1 to 16777216',
      default: 'chosen for ~4 KB shards',
    },
    'score-bits': { type: 'string', value: '8|16', help: 'stored score precision', default: '8' },
    format: {
      type: 'string',
      value: 'csv|ndjson',
      help: 'input format',
      default: 'from the extension or content',
    },
    'max-items-per-user': {
      type: 'string',
      value: 'N',
      help: "only each user's N most recent items count, so bots, crawlers\nand shared accounts cannot make the build quadratic",
      default: `${TRAIN_MAX_ITEMS_PER_USER}, as in \`likewise eval\``,
    },
    threads: { type: 'string', value: 'N', help: 'threads to use', default: 'up to 2' },
    catalog: {
      type: 'string',
      value: 'FILE',
      help: 'also write this catalogue (JSON array or NDJSON of entries) as\nshards beside the model, as `likewise catalog` does',
    },
    ...CLICKHOUSE_OPTIONS,
  },
});

/** Checked `likewise train` arguments. */
export interface TrainArgs {
  /** The event log; absent when the build reads ClickHouse or only prints SQL. */
  events?: string;
  /** Build inside ClickHouse, from this table. */
  clickhouse?: ClickHouseSource;
  /** Print the build's SQL in this dialect instead. */
  emitSql?: SqlDialect;
  /** `--table`, for `--emit-sql`. */
  table?: string;
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
  /** A catalogue file to write as shards beside the model. */
  catalog?: string;
  /** `sequence`: the window and the backward weight. */
  window: number;
  backward: number;
  /** The popularity blend (see `BuildOptions.alpha`); default per similarity. */
  alpha?: number;
  /** Event-type weights of the build; default `DEFAULT_WEIGHTS`. */
  weights?: Record<EventType, number>;
  /** Choose the configuration on the log first (`--tune`). */
  tune: boolean;
  /** The configuration `--tune` chose, recorded in the manifest. */
  config?: ModelConfig;
}

/**
 * The arguments with a tuned configuration applied: its similarity, K,
 * popularity blend, window, backward weight and event-type weights.
 */
export function withConfig(args: TrainArgs, config: ModelConfig): TrainArgs {
  return {
    ...args,
    similarity: config.similarity,
    k: config.k,
    alpha: config.alpha,
    window: config.window ?? args.window,
    backward: config.backward ?? args.backward,
    weights: config.weights,
    config,
  };
}

/**
 * The arguments of `likewise train`, checked and defaulted. Throws a
 * `UsageError` naming the first bad one.
 */
export function trainArgs(values: OptionValues<(typeof TRAIN)['options']>): TrainArgs {
  if (values.tune)
    for (const name of ['k', 'similarity', 'window', 'backward'] as const)
      if (values[name] !== undefined)
        throw new UsageError(`--${name} and --tune do not go together: --tune chooses it`);
  return {
    window: integerOption('window', values.window, DEFAULT_WINDOW, 1, 1000),
    backward: unitOption('backward', values.backward, DEFAULT_BACKWARD),
    tune: values.tune ?? false,
    events: values.events,
    ...clickHouseOptions(values),
    table: values.table,
    out: values.out ?? 'model',
    k: integerOption('k', values.k, TRAIN_K, 1),
    similarity: choiceOption(
      'similarity',
      values.similarity,
      SIMILARITIES,
      DEFAULT_BUILD.similarity ?? 'cosine',
    ),
    togetherK: integerOption('together-k', values['together-k'], 20, 0),
    halfLifeDays: numberOption('trending-half-life', values['trending-half-life'], 7, {
      min: 0,
      what: 'a number of days',
    }),
    // The model format's limit (checked again by encodeModel), here before any work.
    shards:
      values.shards === undefined
        ? undefined
        : integerOption('shards', values.shards, 0, 1, 2 ** 24),
    scoreBits: Number(
      choiceOption('score-bits', values['score-bits'], ['8', '16'] as const, '8'),
    ) as 8 | 16,
    format: choiceOption('format', values.format, ['csv', 'ndjson'] as const, undefined),
    threads: integerOption(
      'threads',
      values.threads,
      Math.max(1, Math.min(2, availableParallelism())),
      1,
    ),
    maxItemsPerUser: integerOption(
      'max-items-per-user',
      values['max-items-per-user'],
      TRAIN_MAX_ITEMS_PER_USER,
      1,
    ),
    catalog: values.catalog,
  };
}
