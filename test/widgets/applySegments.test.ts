// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLikewiseError } from '../../src/errors';
import type { Profile } from '../../src/metrics/computeProfile';
import { applySegments, type SegmentsHandle } from '../../src/widgets/applySegments';
import { flush } from '../support/widgetFakes';

function profile(over: Partial<Profile> = {}): Profile {
  return {
    categories: [{ value: 'Drama', score: 1 }],
    brands: [],
    price: null,
    segment: 'browsing',
    pace: null,
    cart: [],
    minutesToCart: null,
    viewsPerCart: null,
    sessions: 2,
    ...over,
  };
}

function targeted(expr: string, id: string, hidden = true) {
  const el = document.createElement('aside');
  el.id = id;
  el.setAttribute('data-likewise-segment', expr);
  el.hidden = hidden;
  return el;
}

/** Ids of the targeted elements the shopper can see. */
function visible() {
  return [...document.querySelectorAll<HTMLElement>('[data-likewise-segment]')]
    .filter((el) => el.hasAttribute('data-likewise-match') && !el.hidden)
    .map((el) => el.id);
}

let stop: SegmentsHandle | undefined;
beforeEach(() => {
  document.body.replaceChildren();
});
afterEach(() => {
  stop?.();
  stop = undefined;
});

describe('applySegments', () => {
  it('shows only the elements whose expression matches, at once', () => {
    document.body.append(
      targeted('ready-to-buy', 'cart-promo'),
      targeted('category:drama', 'drama'),
      targeted('!new', 'returning'),
      targeted('new, ready-to-buy', 'either'),
      targeted('brand:tor', 'tor', false),
    );
    stop = applySegments(document, profile(), { onError: vi.fn() });
    expect(visible()).toEqual(['drama', 'returning']);
    // A non-matching element that the shop left visible is hidden.
    expect(document.getElementById('tor')?.hidden).toBe(true);
    expect(document.getElementById('cart-promo')?.hasAttribute('data-likewise-match')).toBe(false);
  });

  it('decides elements added later and expressions that change', async () => {
    stop = applySegments(document, profile({ segment: 'ready-to-buy' }));
    const wrapper = document.createElement('div');
    wrapper.append(targeted('ready-to-buy', 'late'), targeted('new', 'late-new'));
    document.body.append(wrapper);
    await flush();
    expect(visible()).toEqual(['late']);
    document.getElementById('late-new')?.setAttribute('data-likewise-segment', '!new');
    await flush();
    expect(visible()).toEqual(['late', 'late-new']);
  });

  it('re-decides every element when the profile changes', () => {
    document.body.append(targeted('ready-to-buy', 'promo'), targeted('new', 'welcome'));
    stop = applySegments(document, profile({ segment: 'new' }));
    expect(visible()).toEqual(['welcome']);
    stop.update(profile({ segment: 'ready-to-buy' }));
    expect(visible()).toEqual(['promo']);
    expect(document.getElementById('welcome')?.hidden).toBe(true);
  });

  it('keeps everything hidden while the profile is unknown', () => {
    document.body.append(targeted('!new', 'a', false));
    stop = applySegments(document, null);
    expect(visible()).toEqual([]);
    stop.update(profile());
    expect(visible()).toEqual(['a']);
  });

  it('reports a malformed expression and keeps that element hidden', () => {
    document.body.append(targeted('vip', 'bad', false), targeted('!new', 'good'));
    const onError = vi.fn();
    stop = applySegments(document, profile(), { onError });
    expect(visible()).toEqual(['good']);
    expect(document.getElementById('bad')?.hidden).toBe(true);
    expect(isLikewiseError(onError.mock.calls[0][0], 'INVALID_INPUT')).toBe(true);
  });

  it('stops deciding after cleanup', async () => {
    stop = applySegments(document, profile());
    stop();
    document.body.append(targeted('!new', 'after'));
    await flush();
    stop.update(profile({ segment: 'new' }));
    const el = document.getElementById('after');
    expect(el?.hasAttribute('data-likewise-match')).toBe(false);
    expect(el?.hidden).toBe(true);
  });

  it('writes no inline style', () => {
    document.body.append(targeted('!new', 'a'), targeted('new', 'b'));
    stop = applySegments(document, profile());
    expect(document.querySelectorAll('[style]').length).toBe(0);
  });
});
