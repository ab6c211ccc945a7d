/** Injectable dependencies of {@link observeImpressions}. */
export interface ObserveImpressionsDeps {
  /** Default `globalThis.IntersectionObserver`; without one, no impression is ever reported. */
  IntersectionObserver?: typeof IntersectionObserver;
  /** How long (ms) an element must stay at least half visible. Default 1000. */
  delay?: number;
}

/**
 * Reports each element once, after it has been at least half visible for
 * `delay` ms without interruption (the common viewable-impression rule).
 * Uses the global `setTimeout`, so fake timers work in tests.
 *
 * @param elements - the elements to watch
 * @param onImpression - called once per element
 * @returns a cleanup that stops watching and cancels pending timers
 * @example
 * const stop = observeImpressions(list.children, (el) => console.log('seen', el));
 */
export function observeImpressions(
  elements: Iterable<Element>,
  onImpression: (el: Element) => void,
  deps: ObserveImpressionsDeps = {},
): () => void {
  const IO = deps.IntersectionObserver ?? globalThis.IntersectionObserver;
  // Without IntersectionObserver visibility is unknown: reporting nothing beats inventing impressions.
  if (!IO) return () => {};
  // A timer per element that is at least half visible; a fired timer stays, so it never restarts.
  const timers = new Map<Element, ReturnType<typeof setTimeout>>();
  const io = new IO(
    (entries) => {
      for (const { target, intersectionRatio } of entries) {
        if (intersectionRatio < 0.5) {
          clearTimeout(timers.get(target));
          timers.delete(target);
        } else if (!timers.has(target))
          timers.set(
            target,
            setTimeout(() => {
              // Unobserving makes it once per element.
              io.unobserve(target);
              onImpression(target);
            }, deps.delay ?? 1000),
          );
      }
    },
    { threshold: 0.5 },
  );
  for (const el of elements) io.observe(el);
  return () => {
    io.disconnect();
    timers.forEach(clearTimeout);
  };
}
