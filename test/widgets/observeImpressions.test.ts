// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { observeImpressions } from '../../src/widgets/observeImpressions';
import { FakeIntersectionObserver, FakeIO } from '../support/widgetFakes';

beforeEach(() => {
  vi.useFakeTimers();
  FakeIntersectionObserver.reset();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('observeImpressions', () => {
  it('reports an element after 1 s at >= 50% visible, once', () => {
    const a = document.createElement('li');
    const b = document.createElement('li');
    const seen = vi.fn();
    observeImpressions([a, b], seen, { IntersectionObserver: FakeIO });
    const io = FakeIntersectionObserver.instances[0];
    expect(io.options.threshold).toBe(0.5);
    io.show(a, 0.5);
    io.show(b, 0.49);
    vi.advanceTimersByTime(1000);
    expect(seen.mock.calls).toEqual([[a]]);
    io.show(a, 1);
    vi.advanceTimersByTime(2000);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('restarts the clock when visibility is interrupted', () => {
    const a = document.createElement('li');
    const seen = vi.fn();
    observeImpressions([a], seen, { IntersectionObserver: FakeIO, delay: 300 });
    const io = FakeIntersectionObserver.instances[0];
    io.show(a, 0.8);
    vi.advanceTimersByTime(299);
    io.show(a, 0);
    io.show(a, 0.8);
    vi.advanceTimersByTime(299);
    expect(seen).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('cleanup cancels pending impressions and disconnects', () => {
    const a = document.createElement('li');
    const seen = vi.fn();
    const stop = observeImpressions([a], seen, { IntersectionObserver: FakeIO });
    const io = FakeIntersectionObserver.instances[0];
    io.show(a, 1);
    stop();
    vi.advanceTimersByTime(5000);
    expect(seen).not.toHaveBeenCalled();
    expect(io.disconnected).toBe(true);
  });

  it('reports nothing and does not throw without IntersectionObserver', () => {
    vi.stubGlobal('IntersectionObserver', undefined);
    const seen = vi.fn();
    const stop = observeImpressions([document.createElement('li')], seen);
    vi.advanceTimersByTime(5000);
    stop();
    expect(seen).not.toHaveBeenCalled();
  });
});
