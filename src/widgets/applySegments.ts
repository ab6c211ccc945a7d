import type { Profile } from '../metrics/computeProfile';
import { matchesSegment } from '../metrics/matchesSegment';
import { eachWithAttribute } from './eachWithAttribute';

/** Injectable dependencies of {@link applySegments}. */
export interface ApplySegmentsDeps {
  /** Default `globalThis.MutationObserver`; without one, only the elements present at start are decided. */
  MutationObserver?: typeof MutationObserver;
  /** Receives a malformed expression's `LikewiseError` (`INVALID_INPUT`); that element stays hidden. Default `console.error`. */
  onError?: (error: unknown) => void;
}

/** What {@link applySegments} returns: a cleanup that also re-decides on a new profile. */
export interface SegmentsHandle {
  /** Stops watching for new elements; the elements keep their last state. Idempotent. */
  (): void;
  /** Re-decides every targeted element for a changed profile (no-op after cleanup). */
  update(profile: Profile | null): void;
}

const ATTR = 'data-likewise-segment';
const MATCH = 'data-likewise-match';

/**
 * Targeted content: every element under `root` with
 * `data-likewise-segment="<expression>"` is shown only to visitors whose
 * profile matches the expression (grammar: `matchesSegment`, e.g.
 * `ready-to-buy`, `category:drama`, `!new`; a comma means OR).
 *
 * A matching element gets the `data-likewise-match` attribute and loses
 * `hidden`; any other gets `hidden` and loses `data-likewise-match`. The
 * decision is made from local data only, so to avoid a flash of content the
 * shop hides targeted elements before the SDK runs, with `hidden` in the
 * markup or with this rule in its own stylesheet:
 * `[data-likewise-segment]:not([data-likewise-match]) { display: none }`.
 * Nothing is written inline (no style attribute), so a strict CSP is fine.
 *
 * Elements added later, or whose expression changes, are decided when they
 * appear. With `profile` `null` (not known yet) every targeted element stays hidden.
 *
 * @param root - usually `document`
 * @param profile - the visitor's profile (`computeProfile`), or `null`
 * @param deps - see {@link ApplySegmentsDeps}
 * @returns a cleanup, with `update(profile)` to re-decide after the profile changed
 * @example
 * const segments = applySegments(document, computeProfile(events, catalog));
 * segments.update(computeProfile(moreEvents, catalog));
 * segments(); // stop
 */
export function applySegments(
  root: ParentNode,
  profile: Profile | null,
  deps: ApplySegmentsDeps = {},
): SegmentsHandle {
  const onError = deps.onError ?? console.error;
  let alive = true;
  const decide = (el: Element) => {
    let show = false;
    try {
      show = !!profile && matchesSegment(profile, el.getAttribute(ATTR) as string);
    } catch (e) {
      onError(e);
    }
    el.toggleAttribute(MATCH, show);
    el.toggleAttribute('hidden', !show);
  };
  const scan = (node: Node | ParentNode) => eachWithAttribute(node, ATTR, decide);
  const MO = deps.MutationObserver ?? globalThis.MutationObserver;
  const observer =
    MO &&
    new MO((records) => {
      for (const r of records)
        if (r.type === 'attributes') scan(r.target);
        else r.addedNodes.forEach(scan);
    });
  // Our own writes (hidden, data-likewise-match) are not in the filter: no feedback loop.
  observer?.observe(root as Node, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: [ATTR],
  });
  scan(root);
  const stop = (() => {
    alive = false;
    observer?.disconnect();
  }) as SegmentsHandle;
  stop.update = (next) => {
    if (!alive) return;
    profile = next;
    scan(root);
  };
  return stop;
}
