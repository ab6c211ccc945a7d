/**
 * Self-tuning: chooses the model configuration on the shop's own log. The
 * choice is made on a validation split carved from the training part only
 * (each user's second-to-last item, with the last one set aside as the
 * test item of the evaluation protocol), so a tuned figure from
 * `likewise eval --tune` never saw its test items.
 */
import { LikewiseError } from '../errors';
import type { EventType } from '../types';
import { DEFAULT_BACKWARD, DEFAULT_K, DEFAULT_WINDOW, type Similarity } from './buildNeighbours';
import {
  type BuiltNeighbours,
  type EvaluateModel,
  type ModelMetrics,
  prepareEvaluation,
  scoreModel,
  splitLeaveLastOut,
} from './evaluate';
import { DEFAULT_RECENCY_HALF_LIFE } from './historyWeights';
import type { InteractionLog } from './types';
import { DEFAULT_MAX_ITEMS_PER_USER, DEFAULT_WEIGHTS } from './userItemMatrix';

/**
 * A model configuration: how neighbours are built and how a visitor's
 * history is scored. `likewise train --tune` records it in `manifest.json`
 * (as `config`), and the SDK scores with it.
 */
export interface ModelConfig {
  similarity: Similarity;
  /** Neighbours kept per item. */
  k: number;
  /**
   * The popularity blend: 0.5 is cosine; towards 1 the similarity divides
   * less by the neighbour's popularity, so popular neighbours rank higher
   * (1 is P(j | i)).
   */
  alpha: number;
  /** `sequence`: steps apart that still count, and the weight of "before" against "after". */
  window?: number;
  backward?: number;
  /** History weight halves every this many steps back. */
  recencyHalfLife: number;
  /** Event-type weights, for the build and for the history. */
  weights: Record<EventType, number>;
}

/** The SDK's default configuration (`DEFAULT_MODEL`). */
export const DEFAULT_CONFIG: ModelConfig = Object.freeze({
  similarity: 'cosine',
  k: DEFAULT_K,
  alpha: 0.5,
  recencyHalfLife: DEFAULT_RECENCY_HALF_LIFE,
  weights: { ...DEFAULT_WEIGHTS },
});

/** The {@link EvaluateModel} of a configuration: what `likewise train` + for-you do with it. */
export function modelOf(config: ModelConfig): EvaluateModel {
  const sequence = config.similarity === 'sequence';
  return {
    kind: 'neighbours',
    build: {
      similarity: config.similarity,
      k: config.k,
      alpha: config.alpha,
      weights: config.weights,
      maxItemsPerUser: DEFAULT_MAX_ITEMS_PER_USER,
      ...(sequence
        ? {
            window: config.window ?? DEFAULT_WINDOW,
            backward: config.backward ?? DEFAULT_BACKWARD,
          }
        : {}),
    },
    score: {
      recencyHalfLife: config.recencyHalfLife,
      typeWeighted: true,
      weights: config.weights,
      fill: 'popularity',
    },
  };
}

/** A short text of a configuration, for the candidate table. */
export function describeConfig(c: ModelConfig): string {
  const w = EVENT_WEIGHT_TYPES.map((t) => c.weights[t]).join('/');
  return [
    c.similarity,
    `k ${c.k}`,
    `alpha ${c.alpha}`,
    ...(c.similarity === 'sequence' ? [`window ${c.window}`, `backward ${c.backward}`] : []),
    `half-life ${c.recencyHalfLife}`,
    `weights ${w}`,
  ].join(', ');
}

/** The event types whose weights the tuner varies (view/click/add_to_cart/purchase). */
const EVENT_WEIGHT_TYPES: readonly EventType[] = ['view', 'click', 'add_to_cart', 'purchase'];

/** Event-type weight sets tried when the log has more than one of those types. */
const WEIGHT_SETS: readonly Record<EventType, number>[] = [
  { ...DEFAULT_WEIGHTS },
  { ...DEFAULT_WEIGHTS, view: 1, click: 1, add_to_cart: 1, purchase: 1 },
  { ...DEFAULT_WEIGHTS, view: 1, click: 1, add_to_cart: 2, purchase: 3 },
];

/** One dimension of the search: its name and the values tried. */
interface Dimension {
  name: string;
  applies(c: ModelConfig): boolean;
  values(c: ModelConfig): ModelConfig[];
}

const DIMENSIONS: readonly Dimension[] = [
  {
    name: 'event-type weights',
    applies: () => true,
    values: (c) => WEIGHT_SETS.map((weights) => ({ ...c, weights })),
  },
  {
    name: 'window',
    applies: (c) => c.similarity === 'sequence',
    values: (c) => [3, 5, 10, 20].map((window) => ({ ...c, window })),
  },
  {
    name: 'backward',
    applies: (c) => c.similarity === 'sequence',
    values: (c) => [0, 0.5, 1].map((backward) => ({ ...c, backward })),
  },
  {
    name: 'popularity blend',
    applies: () => true,
    values: (c) => [0.5, 0.75, 1].map((alpha) => ({ ...c, alpha })),
  },
  {
    name: 'K',
    applies: () => true,
    // Largest first: the smaller lists are then cut from its build.
    values: (c) => [200, 100, 50, 20].map((k) => ({ ...c, k })),
  },
  {
    name: 'history half-life',
    applies: () => true,
    values: (c) => [0.5, 1, 2, 4].map((recencyHalfLife) => ({ ...c, recencyHalfLife })),
  },
];

/** One candidate's validation figures. */
export interface TunedCandidate {
  /** Which dimension the candidate varied (`start` for a starting point). */
  step: string;
  config: ModelConfig;
  metrics: ModelMetrics;
}

/** What {@link tune} returns. */
export interface Tuning {
  /** The winner. */
  config: ModelConfig;
  metrics: ModelMetrics;
  /** Every candidate scored, in order. */
  candidates: TunedCandidate[];
  /** Validation users (those with at least 2 training items). */
  users: number;
  /** True when the budget ran out before every dimension was tried. */
  stoppedEarly: boolean;
}

/** Options of {@link tune}. */
export interface TuneOptions {
  /**
   * Stop starting candidates after this many ms. Default: no limit, so the
   * choice never depends on how busy the machine is.
   */
  budgetMs?: number;
  /** Called after each candidate (e.g. to print it). */
  onCandidate?: (candidate: TunedCandidate) => void;
  /** Clock in ms; default `performance.now`. */
  now?: () => number;
}

/** What the search maximises: HR@10 + NDCG@10 on the validation items. */
const objective = (m: ModelMetrics): number => m.hr10 + m.ndcg10;

/**
 * Chooses a {@link ModelConfig} for `log`: splits off each user's latest
 * item (the test item, never looked at), then each user's latest remaining
 * one (the validation item), and searches on that validation split. From
 * each similarity kind's starting point (cosine, sequence), one round of
 * coordinate ascent: each dimension in turn (event-type weights when the
 * log has more than one type, window, backward weight, popularity blend,
 * K, history half-life), keeping a value only when it beats the best so
 * far. Ties keep the earlier candidate; the best kind wins.
 *
 * @example const { config } = tune(log, { onCandidate: (c) => console.log(describeConfig(c.config)) });
 */
export function tune(log: InteractionLog, options: TuneOptions = {}): Tuning {
  const now = options.now ?? (() => performance.now());
  const budget = options.budgetMs ?? Number.POSITIVE_INFINITY;
  if (!(budget > 0))
    throw new LikewiseError('INVALID_OPTION', `budgetMs must be > 0, got ${String(budget)}`);
  const start = now();
  const { train } = splitLeaveLastOut(log);
  const prepared = prepareEvaluation(train);
  const types = new Set<number>();
  for (let r = 0; r < train.length; r++) types.add(train.types[r]);
  const several = EVENT_WEIGHT_TYPES.filter((_, x) => types.has([0, 1, 2, 4][x])).length > 1;
  const built = new Map<string, BuiltNeighbours>();
  const candidates: TunedCandidate[] = [];
  const seen = new Map<string, ModelMetrics>();
  let stoppedEarly = false;
  const score = (step: string, config: ModelConfig): ModelMetrics | undefined => {
    const key = JSON.stringify(config);
    const known = seen.get(key);
    if (known) return known;
    if (now() - start > budget) {
      stoppedEarly = true;
      return undefined;
    }
    // Builds are kept for the candidates that only change the scoring,
    // and dropped when the build options change (they are large).
    const model = modelOf(config);
    // The same key as scoreModel's cache (without K).
    const buildKey =
      model.kind === 'neighbours' ? JSON.stringify({ ...model.build, k: undefined }) : '';
    if (built.size > 0 && !built.has(buildKey)) built.clear();
    const metrics = scoreModel(prepared, model, now, built);
    seen.set(key, metrics);
    const candidate = { step, config, metrics };
    candidates.push(candidate);
    options.onCandidate?.(candidate);
    return metrics;
  };
  const starts: ModelConfig[] = [
    DEFAULT_CONFIG,
    {
      ...DEFAULT_CONFIG,
      similarity: 'sequence',
      window: DEFAULT_WINDOW,
      backward: DEFAULT_BACKWARD,
    },
  ];
  let winner: { config: ModelConfig; metrics: ModelMetrics } | undefined;
  for (const first of starts) {
    const m0 = score(`start ${first.similarity}`, first);
    if (!m0) break;
    let best = { config: first, metrics: m0 };
    for (const dim of DIMENSIONS) {
      if (!dim.applies(best.config)) continue;
      if (dim.name === 'event-type weights' && !several) continue;
      for (const config of dim.values(best.config)) {
        const m = score(dim.name, config);
        if (!m) break;
        if (objective(m) > objective(best.metrics)) best = { config, metrics: m };
      }
    }
    if (!winner || objective(best.metrics) > objective(winner.metrics)) winner = best;
  }
  if (!winner) throw new LikewiseError('INVALID_OPTION', 'budgetMs is too small for one candidate');
  return {
    config: winner.config,
    metrics: winner.metrics,
    candidates,
    users: prepared.split.testItems.length,
    stoppedEarly,
  };
}
