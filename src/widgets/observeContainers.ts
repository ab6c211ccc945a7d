import { attempt, optionsFromAttributes, WIDGET_ATTRIBUTES } from './optionsFromAttributes';
import type { RenderOptions } from './render';

/** Injectable dependencies of {@link observeContainers}. */
export interface ObserveContainersDeps {
  /** Default `globalThis.MutationObserver`; without one, only the containers present at start are found. */
  MutationObserver?: typeof MutationObserver;
  /** Receives errors thrown by `onContainer` or by a cleanup (e.g. an unknown type). Default `console.error`. */
  onError?: (error: unknown) => void;
}

/**
 * Finds declarative widget containers under `root`, at start and whenever
 * they are added later:
 * `<div data-likewise="similar" data-item-id="sku-1" data-limit="4" data-title="..."
 * data-collapse-empty="false" data-lazy="false" data-show-reason data-dismissible>`.
 * Each container is passed to `onContainer` once; its cleanup runs when the
 * container leaves `root`, and the container is rendered afresh when one of
 * those attributes changes (single-page apps reuse elements).
 *
 * @param root - usually `document`
 * @param onContainer - renders a container and returns its cleanup (typically `render`)
 * @returns a cleanup that stops observing and cleans every container
 * @example
 * const stop = observeContainers(document, (el, options) => render(el, options, deps));
 */
export function observeContainers(
  root: ParentNode,
  onContainer: (el: HTMLElement, options: RenderOptions) => () => void,
  deps: ObserveContainersDeps = {},
): () => void {
  const live = new Map<HTMLElement, (() => void) | undefined>();
  const onError = deps.onError ?? console.error;
  const has = (el: Node) => (root as Node).contains(el);
  // A container whose onContainer threw stays known (with no cleanup) until its attributes change.
  const start = (el: HTMLElement) => {
    if (!live.has(el) && el.hasAttribute('data-likewise') && has(el))
      live.set(
        el,
        attempt(onError, () =>
          onContainer(el, optionsFromAttributes(el, 'data-', 'data-likewise', 'data-title')),
        ),
      );
  };
  const stop = (el: HTMLElement) => {
    attempt(onError, live.get(el));
    live.delete(el);
  };
  const scan = (node: Node) => {
    if (node.nodeType === 1) start(node as HTMLElement);
    (node as ParentNode).querySelectorAll?.<HTMLElement>('[data-likewise]').forEach(start);
  };
  const MO = deps.MutationObserver ?? globalThis.MutationObserver;
  const observer =
    MO &&
    new MO((records) => {
      const changed = new Set<HTMLElement>();
      for (const r of records) {
        if (r.type === 'attributes') changed.add(r.target as HTMLElement);
        else r.addedNodes.forEach(scan);
      }
      changed.forEach((el) => {
        stop(el);
        start(el);
      });
      for (const el of live.keys()) if (!has(el)) stop(el);
    });
  observer?.observe(root as Node, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['data-likewise', 'data-title', ...WIDGET_ATTRIBUTES.map((a) => 'data-' + a)],
  });
  scan(root as Node);
  return () => {
    observer?.disconnect();
    for (const el of live.keys()) stop(el);
  };
}
