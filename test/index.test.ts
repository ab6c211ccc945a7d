// @vitest-environment happy-dom
// The npm entry: auto-tracking is a chunk of its own there (a storefront
// that does not auto-track never loads it), so its public `autoTrack` and
// the `autoTrack` option start once that chunk has loaded.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { autoTrack, createLikewise } from '../src/index';
import type { TrackInput } from '../src/types';
import { failOnUnhandled, setHtml } from './support/fakeStores';

failOnUnhandled();
afterEach(() => document.body.replaceChildren());

describe('the npm entry', () => {
  it('autoTrack starts once its chunk has loaded; a cleanup before that stops it from starting', async () => {
    setHtml(document.body, '<main data-likewise-view="sku-1"></main>');
    const seen: TrackInput[] = [];
    const lw = { track: (e: TrackInput) => seen.push(e) };
    const stop = autoTrack(lw, document);
    await vi.waitFor(() => expect(seen).toEqual([{ type: 'view', itemId: 'sku-1' }]));
    stop();

    const early: TrackInput[] = [];
    autoTrack({ track: (e: TrackInput) => early.push(e) }, document)();
    await new Promise((r) => setTimeout(r, 50));
    expect(early).toEqual([]);
  });

  it('the autoTrack option tracks the page once ready', async () => {
    setHtml(document.body, '<main data-likewise-view="sku-2"></main>');
    const lw = createLikewise({ site: 'npm-entry', autoTrack: true });
    await lw.ready;
    expect((await lw.events()).map((e) => [e.type, e.itemId])).toEqual([['view', 'sku-2']]);
    lw.destroy();
  });
});
