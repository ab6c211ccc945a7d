/**
 * The tasks the CLI's worker threads run: `main.ts` serves them when the
 * built CLI is started as a worker (see `runWorkerTask`). A task moves its
 * result's buffers back rather than copying them.
 */
import { encodeShardRange } from '../model/encodeModel';
import { garbageCollector } from './garbageCollector';
import { type EventRangeTask, readEventsRange } from './readEvents';
import { type RecommendPayload, serveRecommendUsers } from './recommendWorkers';
import type { WorkerTask } from './runWorkerTask';
import {
  buildChunks,
  type GroupPayload,
  groupUsers,
  listBuffers,
  type RowsPayload,
  type SidePayload,
  sideBuilds,
} from './train/buildModel';
import type { ShardsPayload } from './train/encodeShards';

/** Tasks by name, as `runWorkerTask` asks for them. */
export const workerTasks: Record<string, WorkerTask> = {
  async readEventsRange(task: EventRangeTask) {
    const result = await readEventsRange(task, garbageCollector());
    // Rows parsed into the reading thread's shared columns are not moved.
    const transfer = [result.users, result.items, result.types, result.times]
      .map((a) => a.buffer)
      .filter((b): b is ArrayBuffer => !(b instanceof SharedArrayBuffer));
    return { result, transfer };
  },
  async groupUsers(payload: GroupPayload) {
    groupUsers(payload);
    return { result: null };
  },
  async sideBuilds(payload: SidePayload) {
    const result = sideBuilds(payload);
    const transfer = [result.popularity.buffer as ArrayBuffer];
    if (result.together) transfer.push(...listBuffers(result.together));
    return { result, transfer };
  },
  async encodeShards({ input, layout, from, to }: ShardsPayload) {
    const result = encodeShardRange(input, layout.shards, layout.scoreBits, from, to);
    return { result, transfer: result.map((bytes) => bytes.buffer as ArrayBuffer) };
  },
  recommendUsers: (payload: RecommendPayload) => serveRecommendUsers(payload),
  async neighbourRows(payload: RowsPayload) {
    const result = buildChunks(payload);
    return { result, transfer: result.flatMap(([, lists]) => listBuffers(lists)) };
  },
};
