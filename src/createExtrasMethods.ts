import type { LikewiseCore } from './createCore';
import type { Likewise } from './createLikewise';
import { checkValue } from './shared/checkValue';
import { TEXT } from './shared/eventSchema';

/** The instance methods that run in the `extras` part. */
export type ExtrasMethods = Pick<Likewise, 'report' | 'profile' | 'rerank' | 'identify'>;

/**
 * `lw.report()`, `lw.profile()`, `lw.rerank()` and `lw.identify()`: their
 * misuse checks at once, their work in the `extras` part, loaded on first
 * call. None rejects: a failure (the part did not load) goes to `onError`
 * and gives an empty answer (`rerank`: the ids as given).
 */
export function createExtrasMethods(core: LikewiseCore): ExtrasMethods {
  const { extras } = core;
  // Counted so an identify() called before a forget() stores nothing after it.
  let forgets = 0;
  core.onForget.push(() => forgets++);
  return {
    report: () =>
      extras((x) => x.reportOf(core), {
        windowDays: core.options.windowDays ?? 7,
        currency: null,
        widgets: [],
        groups: [],
        events: 0,
        otherCurrencyLines: 0,
      }),
    profile: () =>
      extras((x) => x.profileOf(core), {
        categories: [],
        brands: [],
        price: null,
        segment: 'new',
        pace: null,
        cart: [],
        minutesToCart: null,
        viewsPerCart: null,
        sessions: 0,
      }),
    rerank(itemIds) {
      checkValue(itemIds, [Array.isArray, 'an array'], 'rerank: itemIds', 'INVALID_INPUT');
      return extras((x) => x.rerankOf(core, [...itemIds]), [...itemIds]);
    },
    identify(customerId) {
      // Misuse throws at once (not as a rejection); the work after it never rejects.
      checkValue(customerId, TEXT, 'identify: customerId', 'INVALID_INPUT');
      const n = forgets;
      return extras((x) => x.identify(core, customerId, () => forgets !== n));
    },
  };
}
