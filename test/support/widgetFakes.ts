import type { Recommendation } from '../../src/types';

/** A controllable IntersectionObserver: tests decide what is visible and when. */
export class FakeIntersectionObserver {
  static instances: FakeIntersectionObserver[] = [];
  readonly targets = new Set<Element>();
  disconnected = false;
  constructor(
    readonly callback: IntersectionObserverCallback,
    readonly options: IntersectionObserverInit = {},
  ) {
    FakeIntersectionObserver.instances.push(this);
  }
  observe(el: Element) {
    this.targets.add(el);
  }
  unobserve(el: Element) {
    this.targets.delete(el);
  }
  disconnect() {
    this.disconnected = true;
    this.targets.clear();
  }
  takeRecords() {
    return [];
  }
  /** Reports `el` at the given visible ratio, if it is still observed. */
  show(el: Element, ratio: number) {
    if (!this.targets.has(el)) return;
    const entry = { target: el, isIntersecting: ratio > 0, intersectionRatio: ratio };
    this.callback([entry as unknown as IntersectionObserverEntry], this as never);
  }
  static reset() {
    FakeIntersectionObserver.instances = [];
  }
  /** The lazy-loading observer (the one with a rootMargin). */
  static lazy() {
    return FakeIntersectionObserver.instances.find((o) => o.options.rootMargin !== undefined);
  }
  /** The newest impression observer (threshold 0.5). */
  static impressions() {
    return FakeIntersectionObserver.instances.filter((o) => o.options.threshold === 0.5).at(-1);
  }
}

export const FakeIO = FakeIntersectionObserver as unknown as typeof IntersectionObserver;

/** A recommendation with a valid item; override any item field. */
export function rec(
  id: string,
  item: Partial<Recommendation['item']> = {},
  reason: Recommendation['reason'] = { kind: 'similar' },
): Recommendation {
  return {
    id,
    score: 1,
    reason,
    item: { id, title: `Item ${id}`, url: `/p/${id}`, ...item },
  };
}

/** Lets pending promise callbacks run (works with fake timers too). */
export async function flush() {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A promise with its resolve/reject exposed. */
export function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
