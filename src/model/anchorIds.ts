import { visitorState } from '../engine/recommend';
import { DEFAULT_WEIGHTS } from '../engine/userItemMatrix';
import type { LikewiseEvent, Scenario } from '../types';

/**
 * Recent items whose shop neighbours for-you fetches. History weight halves
 * per step back (the engine's default), so items further back add under
 * 0.1 % while each would cost a shard download.
 */
export const FOR_YOU_ANCHORS = 12;

/** The visitor's distinct items, latest first. */
export function historyIds(events: readonly LikewiseEvent[], max = 50): string[] {
  const out = new Set<string>();
  for (let i = events.length - 1; i >= 0 && out.size < max; i--) {
    const e = events[i];
    // The types for-you gives no weight: their neighbours would cost a shard for nothing.
    if (!DEFAULT_WEIGHTS[e.type]) continue;
    if (e.itemId) out.add(e.itemId);
    for (const l of e.items ?? []) out.add(l.itemId);
  }
  return [...out];
}

/**
 * The items whose shop lists a scenario starts from, the same in the
 * browser (`lw.recommend()`) and in Node (`recommendWith`): for-you the
 * visitor's latest {@link FOR_YOU_ANCHORS} items, the others the current
 * item, or without one the cart (bought-together on a basket page).
 *
 * @example anchorIds('similar', 'sku-1', events) // ['sku-1']
 */
export function anchorIds(
  type: Scenario,
  itemId: string | undefined,
  events: readonly LikewiseEvent[],
): string[] {
  if (type === 'for-you') return historyIds(events, FOR_YOU_ANCHORS);
  return itemId ? [itemId] : [...visitorState(events).cart];
}
