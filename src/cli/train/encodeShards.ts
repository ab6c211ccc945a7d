/**
 * The shard files of a model, encoded on two threads when a worker helps.
 */
import { encodeShardRange, type ModelInput, type ShardLayout } from '../../model/encodeModel';
import { runWorkerTask } from '../runWorkerTask';

/** Worker payload of the shard encoding: the model and the shards to encode. */
export interface ShardsPayload {
  input: ModelInput;
  layout: ShardLayout;
  from: number;
  to: number;
}

/** Share of the shards this thread encodes when a worker does the rest. */
const MAIN_SHARE = 0.6;

/**
 * Every shard file of the model: the last 40 % encoded on a worker thread
 * (when there is one) while this thread encodes the first.
 */
export async function encodeShards(
  input: ModelInput,
  { shards, scoreBits }: ShardLayout,
  entry: string | undefined,
): Promise<Uint8Array[]> {
  // The worker starts late (it loads its script and receives the input
  // first): this thread takes the bigger share.
  const half = entry && shards > 1 ? Math.ceil(shards * MAIN_SHARE) : shards;
  const payload: ShardsPayload = { input, layout: { shards, scoreBits }, from: half, to: shards };
  const remote =
    half < shards && entry
      ? runWorkerTask<Uint8Array[]>(entry, 'encodeShards', payload)
      : undefined;
  remote?.catch(() => {});
  const local = encodeShardRange(input, shards, scoreBits, 0, half);
  return remote ? local.concat(await remote) : local;
}
