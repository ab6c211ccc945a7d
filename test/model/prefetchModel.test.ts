// What the widget part starts before the reader asks: popularity and the
// page's shards (and those of an earlier page's for-you items, the hint) as
// soon as the manifest is here, then the shards of the items for-you starts
// from, never those of impressions or dismissals, which it remembers.
import { describe, expect, it } from 'vitest';
import { anchorIds } from '../../src/model/anchorIds';
import { prefetchModel } from '../../src/model/prefetchModel';
import { shardOf } from '../../src/model/shardOf';
import type { LikewiseEvent } from '../../src/types';
import { event, tinyModel } from './fixtures';

const URL = 'https://cdn.test/m/manifest.json';
const files = tinyModel(3);
// Many shards, so no two of the test's items share one.
const manifest = {
  ...JSON.parse(new TextDecoder().decode(files.find((f) => f.name === 'manifest.json')!.bytes)),
  shards: 1_000_000,
};
const shard = (id: string) => `https://cdn.test/m/${manifest.dir}${shardOf(id, 1_000_000)}.json`;

function start(events: Promise<LikewiseEvent[]>, onPage: string[] = [], recent: string[] = []) {
  const asked: string[] = [];
  const learnt: number[] = [];
  const remembered: string[][] = [];
  prefetchModel(URL, Promise.resolve(new Response(JSON.stringify(manifest))), {
    prefetch: (url) => asked.push(url),
    events: () => events,
    onPage,
    recent,
    remember: (ids) => remembered.push(ids),
    learn: (e) => learnt.push(e.length),
  });
  return { asked, learnt, remembered };
}

describe('prefetchModel', () => {
  it("starts popularity and the page's shards without waiting for the events", async () => {
    const { asked } = start(new Promise(() => {}), ['a']);
    await new Promise((r) => setTimeout(r, 10));
    expect(asked).toEqual([`https://cdn.test/m/${manifest.popularity.file}`, shard('a')]);
  });

  it("starts the hint's shards (an earlier page's for-you items) with the page's, before the events are read", async () => {
    const { asked, remembered } = start(new Promise(() => {}), ['a'], ['r1', 'r2']);
    await new Promise((r) => setTimeout(r, 10));
    expect(asked).toEqual([
      `https://cdn.test/m/${manifest.popularity.file}`,
      shard('a'),
      shard('r1'),
      shard('r2'),
    ]);
    expect(remembered).toEqual([]);
  });

  it('remembers the anchors it read, for the next page', async () => {
    const history = [event('view', 'x', 1), event('view', 'y', 2)];
    const { remembered } = start(Promise.resolve(history), [], ['old']);
    await new Promise((r) => setTimeout(r, 10));
    expect(remembered).toEqual([['y', 'x']]);
  });

  it('then the shards of the 12 latest distinct items with a weight, not impressions or dismissals', async () => {
    const history = [
      ...Array.from({ length: 14 }, (_, i) => event('view', `v${i}`, i)),
      event('click', 'v13', 20),
      event('impression', 'shown', 21),
      event('dismiss', 'gone', 22),
      event('search', undefined, 23, { query: 'tea' }),
    ];
    const { asked, learnt } = start(Promise.resolve(history));
    await new Promise((r) => setTimeout(r, 10));
    const wanted = new Set(
      ['v13', 'v12', 'v11', 'v10', 'v9', 'v8', 'v7', 'v6', 'v5', 'v4', 'v3', 'v2'].map(shard),
    );
    expect(wanted.size).toBe(12);
    expect(new Set(asked.filter((u) => u.includes('/model-')))).toEqual(wanted);
    expect(learnt).toEqual([history.length]);
  });

  it("asks for exactly the anchors for-you reads, a purchase's line items included", async () => {
    const history = [
      event('view', 'seen', 1),
      event('purchase', undefined, 2, {
        items: [
          { itemId: 'line-1', quantity: 1 },
          { itemId: 'line-2', quantity: 2 },
        ],
      }),
    ];
    const { asked } = start(Promise.resolve(history));
    await new Promise((r) => setTimeout(r, 10));
    const wanted = anchorIds('for-you', undefined, history);
    expect(new Set(wanted)).toEqual(new Set(['seen', 'line-1', 'line-2']));
    expect(new Set(asked.filter((u) => u.includes('/model-')))).toEqual(new Set(wanted.map(shard)));
  });
});
