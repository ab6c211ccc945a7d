// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import type { LikewiseCore } from '../src/createCore';
import { observeLater } from '../src/observeLater';
import type * as Observe from '../src/observePage';

// A part that loads when the test says so, and an observePage that counts.
const setup = () => {
  const stop = vi.fn();
  const observePage = vi.fn(() => stop);
  let arrive!: (m: typeof Observe) => void;
  let fail!: (e: Error) => void;
  const part = new Promise<typeof Observe>((resolve, reject) => {
    arrive = resolve;
    fail = reject;
  });
  const load = vi.fn(() => part) as never;
  const report = vi.fn();
  const core = { report } as unknown as LikewiseCore;
  return { stop, observePage, arrive, fail, load, report, core };
};
const settle = () => new Promise((r) => setTimeout(r, 0));

describe('observeLater', () => {
  it('loads the observe part and starts observing with the same arguments', async () => {
    const t = setup();
    const render = vi.fn();
    const cleanup = observeLater(t.load)(t.core, document, render);
    expect(t.load).toHaveBeenCalledWith('observe');
    t.arrive({ observePage: t.observePage } as never);
    await settle();
    expect(t.observePage).toHaveBeenCalledWith(t.core, document, render);
    cleanup();
    expect(t.stop).toHaveBeenCalledTimes(1);
  });

  it('a cleanup before the part arrives: nothing starts', async () => {
    const t = setup();
    observeLater(t.load)(t.core, document, vi.fn())();
    t.arrive({ observePage: t.observePage } as never);
    await settle();
    expect(t.observePage).not.toHaveBeenCalled();
  });

  it('a part that will not load goes to the report, never throws', async () => {
    const t = setup();
    const cleanup = observeLater(t.load)(t.core, document, vi.fn());
    t.fail(Error('offline'));
    await settle();
    expect(t.report).toHaveBeenCalledWith(Error('offline'));
    expect(cleanup).not.toThrow();
  });
});
