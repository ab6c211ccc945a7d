import { BOUGHT_TOGETHER_TYPES } from '../../engine/recommend';
import type { ModelInput } from '../../model/encodeModel';
import type { TrainArgs } from './trainArgs';

/** The `train` settings both builds share (in Node and in ClickHouse), as `trainArgs` checked them. */
export type ModelSettings = Pick<
  TrainArgs,
  | 'out'
  | 'k'
  | 'similarity'
  | 'togetherK'
  | 'halfLifeDays'
  | 'shards'
  | 'scoreBits'
  | 'maxItemsPerUser'
>;

/** What a build read, for the manifest's `stats`. */
export interface BuildFacts {
  events: number;
  skipped: number;
  users: number;
}

/**
 * The encoder's input from a build's lists, `train`'s settings (and the
 * tuned configuration, if any) and what the build read: the manifest
 * records them the same way whichever build made the lists.
 *
 * @example encodeModel(modelInput({ neighbours, together, popularity }, args, facts))
 */
export function modelInput(
  lists: Pick<ModelInput, 'neighbours' | 'together' | 'popularity'>,
  settings: ModelSettings & Pick<TrainArgs, 'config'>,
  facts: BuildFacts,
): ModelInput {
  const { neighbours, together } = lists;
  return {
    ...lists,
    k: settings.k,
    similarity: settings.similarity,
    togetherK: settings.togetherK,
    togetherTypes: [...BOUGHT_TOGETHER_TYPES],
    popularityHalfLifeDays: settings.halfLifeDays > 0 ? settings.halfLifeDays : undefined,
    config: settings.config,
    stats: {
      events: facts.events,
      skipped: facts.skipped,
      users: facts.users,
      pairs: neighbours.indices.length,
      togetherPairs: together?.indices.length ?? 0,
    },
  };
}
