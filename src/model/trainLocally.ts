/**
 * On-device learning as plain data: neighbours from the visitor's own
 * sessions, for every item in them. In the widget file of the script tag
 * (`likewise.widgets.mjs`) and the npm build's widget chunk: only a visitor
 * whose sessions pair two items runs it.
 */
import { learnLocally } from '../engine/localNeighbourSource';
import type { LikewiseEvent } from '../types';
import { type WireLists, wire } from './createModelReader';

/**
 * Neighbours learned from `events` (the instance's, already checked), by item.
 *
 * @example const lists = trainLocally(await lw.events())
 */
export function trainLocally(events: LikewiseEvent[]): WireLists {
  const local = learnLocally(events);
  const ids = new Set<string>();
  for (const e of events) if (e.itemId) ids.add(e.itemId);
  return wire([...ids], (id) => local.neighbours(id));
}
