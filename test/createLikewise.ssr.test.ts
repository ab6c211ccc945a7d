// @vitest-environment node
// Server-side rendering: the package imported and used in Node, where there is
// no window and no IndexedDB. Memory is the expected mode there, not a failure.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLikewise } from '../src/index';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createLikewise in Node (server-side rendering)', () => {
  it('keeps events in memory and reports nothing', async () => {
    const warn = vi.spyOn(console, 'warn');
    const errors: unknown[] = [];
    const lw = createLikewise({ site: 'shop', onError: (e) => errors.push(e) });
    await lw.track({ type: 'view', itemId: 'sku-1' });
    expect(lw.storage).toBe('memory');
    expect((await lw.events()).map((e) => e.itemId)).toEqual(['sku-1']);
    expect(await lw.recommend({ type: 'recently-viewed' })).toEqual([]);
    await lw.forget();
    expect(await lw.events()).toEqual([]);
    lw.destroy();
    expect(errors).toEqual([]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('prints nothing with the default onError', async () => {
    const warn = vi.spyOn(console, 'warn');
    const lw = createLikewise({ site: 'shop' });
    await lw.track({ type: 'view', itemId: 'sku-1' });
    await lw.ready;
    lw.destroy();
    expect(warn).not.toHaveBeenCalled();
  });
});
