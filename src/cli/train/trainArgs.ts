/**
 * The options of `likewise train`: its option table (what `--help` prints)
 * and their checked, defaulted values.
 */
import { availableParallelism } from 'node:os';
import { type BuildOptions, DEFAULT_K, type Similarity } from '../../engine/buildNeighbours';
import { DEFAULT_MODEL } from '../../engine/evaluate';
import { DEFAULT_MAX_ITEMS_PER_USER } from '../../engine/userItemMatrix';
import type { EventFileFormat } from '../readEvents';
import {
  choiceOption,
  defineCommand,
  integerOption,
  numberOption,
  type OptionValues,
} from '../runCommand';

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
  usage: '--events FILE [options]',
  description: 'Builds model files (manifest.json + shards) from an event log.',
  options: {
    events: {
      type: 'string',
      value: 'FILE',
      required: true,
      help: 'CSV (user,item,timestamp,type; unix seconds) or NDJSON',
    },
    out: { type: 'string', value: 'DIR', help: 'output directory', default: 'model' },
    k: { type: 'string', value: 'N', help: 'neighbours kept per item', default: String(TRAIN_K) },
    similarity: {
      type: 'string',
      value: 'NAME',
      help: 'cosine, jaccard or conditional',
      default: DEFAULT_BUILD.similarity ?? 'cosine',
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
      help: 'shard count, 1 to 65536',
      default: 'chosen for ~32 KB shards',
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
  },
});

/** Checked `likewise train` arguments. */
export interface TrainArgs {
  events: string;
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
}

/**
 * The arguments of `likewise train`, checked and defaulted. Throws a
 * `UsageError` naming the first bad one.
 */
export function trainArgs(values: OptionValues<(typeof TRAIN)['options']>): TrainArgs {
  return {
    events: values.events,
    out: values.out ?? 'model',
    k: integerOption('k', values.k, TRAIN_K, 1),
    similarity: choiceOption(
      'similarity',
      values.similarity,
      ['cosine', 'jaccard', 'conditional'] as const,
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
        : integerOption('shards', values.shards, 0, 1, 65_536),
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
  };
}
