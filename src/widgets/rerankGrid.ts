import { eachWithAttribute } from './eachWithAttribute';

/** Injectable dependencies of {@link rerankGrid}. */
export interface RerankGridDeps {
  /** Default `globalThis.MutationObserver`; without one, only the grids present at start are reordered. */
  MutationObserver?: typeof MutationObserver;
  /** Receives errors thrown by `rank`; that grid keeps the shop's order. Default `console.error`. */
  onError?: (error: unknown) => void;
}

/** What {@link rerankGrid} returns: a cleanup that can also reorder again. */
export interface RerankHandle {
  /** Stops watching; the grids keep their current order. Idempotent. */
  (): void;
  /** Reorders every grid again, e.g. after the profile behind `rank` changed (no-op after cleanup). */
  refresh(): void;
}

const ATTR = 'data-likewise-rerank';
const ITEM = 'data-likewise-item';

/**
 * Personalises the order of the shop's own product grids: in every element
 * with `data-likewise-rerank` under `root`, the child elements that carry
 * `data-likewise-item="ID"` are put in the order `rank` returns for their ids.
 *
 * The nodes are moved, never recreated, so their listeners and state
 * survive. Other children (a banner, an ad tile) keep their positions: the
 * items are redistributed over the positions items already held. Ids that
 * `rank` leaves out keep their relative order after the ranked ones; ids it
 * invents are ignored; with duplicate ids, the nodes of one id keep their
 * order. `rank` gets the current order, so a stable ranker (the SDK's
 * `rerank`) gives the same result when run again.
 *
 * Grids present at start are reordered at once; grids added later, grids
 * that gain the attribute and grids whose items change (the shop re-renders
 * a page) are reordered when the change is seen. Removing the attribute stops
 * reordering that grid (e.g. when the shopper picks "price: low to high").
 *
 * @param root - usually `document`
 * @param rank - returns the ids in the new order (typically `rerank(ids, profile, catalog)`)
 * @param deps - see {@link RerankGridDeps}
 * @returns a cleanup, with `refresh()` to reorder again
 * @example
 * const grids = rerankGrid(document, (ids) => rerank(ids, profile, catalog));
 * grids.refresh(); // after the profile changed
 */
export function rerankGrid(
  root: ParentNode,
  rank: (ids: string[]) => string[],
  deps: RerankGridDeps = {},
): RerankHandle {
  const onError = deps.onError ?? console.error;
  let alive = true;
  const sort = (grid: Element) => {
    const children = [...grid.children];
    const items = children.filter((c) => c.hasAttribute(ITEM));
    const byId = new Map<string, Element[]>();
    for (const el of items) {
      const id = el.getAttribute(ITEM) as string;
      byId.set(id, [...(byId.get(id) ?? []), el]);
    }
    const ranked: Element[] = [];
    try {
      for (const id of new Set(rank([...byId.keys()]))) ranked.push(...(byId.get(id) ?? []));
    } catch (e) {
      return onError(e);
    }
    for (const el of items) if (!ranked.includes(el)) ranked.push(el);
    let k = 0;
    const wanted = children.map((c) => (c.hasAttribute(ITEM) ? ranked[k++] : c));
    // Moving a node blurs it: give focus back to whatever held it.
    const focused = grid.ownerDocument.activeElement as HTMLElement | null;
    wanted.forEach((el, i) => {
      const at = grid.children[i];
      if (at !== el) grid.insertBefore(el, at);
    });
    if (focused && grid.contains(focused) && focused !== grid.ownerDocument.activeElement)
      focused.focus({ preventScroll: true });
  };
  /** Calls `fn` with `node` and every grid inside it. */
  const grids = (node: Node | ParentNode, fn: (grid: Element) => void) =>
    eachWithAttribute(node, ATTR, fn);
  const MO = deps.MutationObserver ?? globalThis.MutationObserver;
  const observer =
    MO &&
    new MO((records) => {
      const changed = new Set<Element>();
      const add = (grid: Element) => {
        changed.add(grid);
      };
      for (const r of records) {
        if (r.type === 'attributes' || (r.target as Element).hasAttribute?.(ATTR))
          add(r.target as Element);
        for (const n of r.addedNodes) grids(n, add);
      }
      for (const grid of changed)
        if (grid.hasAttribute(ATTR) && (root as Node).contains(grid)) sort(grid);
      // Drop the records of our own moves, so they do not start another pass.
      observer?.takeRecords();
    });
  grids(root, sort);
  observer?.observe(root as Node, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: [ATTR],
  });
  const stop = (() => {
    alive = false;
    observer?.disconnect();
  }) as RerankHandle;
  stop.refresh = () => {
    if (!alive) return;
    grids(root, sort);
    observer?.takeRecords();
  };
  return stop;
}
