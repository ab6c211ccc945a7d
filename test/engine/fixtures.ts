/** Small hand-written logs for engine tests. */
import { EVENT_TYPE_CODES, type InteractionLog } from '../../src/engine/types';
import type { EventType } from '../../src/types';

/** One row: [user, item, type?, time ms?]. Users and items are indexed in order of appearance. */
export type Row = [string, string, EventType?, number?];

/** Builds an InteractionLog from readable rows (time defaults to the row number). */
export function logOf(rows: Row[], itemOrder?: string[]): InteractionLog & { userIds: string[] } {
  const userIds: string[] = [];
  const itemIds: string[] = itemOrder ? [...itemOrder] : [];
  const u = (id: string) => (userIds.includes(id) ? userIds.indexOf(id) : userIds.push(id) - 1);
  const i = (id: string) => (itemIds.includes(id) ? itemIds.indexOf(id) : itemIds.push(id) - 1);
  const n = rows.length;
  const log = {
    itemIds,
    userIds,
    userCount: 0,
    users: new Uint32Array(n),
    items: new Uint32Array(n),
    types: new Uint8Array(n),
    times: new Float64Array(n),
    length: n,
  };
  rows.forEach(([user, item, type, time], r) => {
    log.users[r] = u(user);
    log.items[r] = i(item);
    log.types[r] = EVENT_TYPE_CODES.indexOf(type ?? 'view');
    log.times[r] = time ?? r;
  });
  log.userCount = userIds.length;
  return log;
}

/** Neighbour lists of a model as { item: [[neighbour, score], ...] }. */
export function listsOf(n: {
  itemIds: string[];
  offsets: Uint32Array;
  indices: Uint32Array;
  scores: Float32Array;
}): Record<string, [string, number][]> {
  const out: Record<string, [string, number][]> = {};
  n.itemIds.forEach((id, i) => {
    const list: [string, number][] = [];
    for (let p = n.offsets[i]; p < n.offsets[i + 1]; p++)
      list.push([n.itemIds[n.indices[p]], n.scores[p]]);
    out[id] = list;
  });
  return out;
}

/**
 * The worked example: u0 {a,b,c}, u1 {a,b}, u2 {b,c}, u3 {c,d}.
 * Users per item n: a 2, b 3, c 3, d 1. Co-occurrences: ab 2, ac 1, bc 2, cd 1.
 */
export const WORKED: Row[] = [
  ['u0', 'a'],
  ['u0', 'b'],
  ['u0', 'c'],
  ['u1', 'a'],
  ['u1', 'b'],
  ['u2', 'b'],
  ['u2', 'c'],
  ['u3', 'c'],
  ['u3', 'd'],
];
