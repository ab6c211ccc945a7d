// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { RankedList } from '../../src/engine/neighbourSource';
import { isLikewiseError } from '../../src/errors';
import { createModelReader } from '../../src/model/createModelReader';
import { trainLocally } from '../../src/model/trainLocally';
import { failOnUnhandled } from '../support/fakeStores';
import { event, serve, tinyModel } from './fixtures';

failOnUnhandled();

const M = 'https://cdn.test/m/';
const setup = () => {
  const server = serve({ [M]: tinyModel() });
  return { server, service: createModelReader(`${M}manifest.json`, { fetch: server.fetch }) };
};
const round = ({ ids, scores }: RankedList) => [ids, Array.from(scores, (s) => +s.toFixed(3))];

describe('createModelReader', () => {
  it('answers the similar and together lists of the items the model knows, as plain data', async () => {
    const { service, server } = setup();
    expect(server.calls).toEqual([]);
    const lists = await service.lists(['a', 'b', 'h', 'nope']);
    expect(Object.keys(lists.similar).sort()).toEqual(['a', 'b', 'h']);
    expect(round(lists.similar.a)).toEqual([
      ['b', 'z', 'c', 'd'],
      [0.9, 0.85, 0.8, 0.5],
    ]);
    expect(round(lists.similar.b)).toEqual([
      ['a', 'c'],
      [0.9, 0.7],
    ]);
    expect(lists.similar.h).toEqual({ ids: [], scores: [] });
    expect(round(lists.together.a)).toEqual([
      ['e', 'f'],
      [1, 0.5],
    ]);
    expect(lists.together.nope).toBeUndefined();
    // Plain data: a copy is the same lists.
    expect(structuredClone(lists)).toEqual(lists);
  });

  it('answers the popularity list, best first', async () => {
    const { service } = setup();
    expect(round(await service.popularity())).toEqual([
      ['z', 'h', 'g', 'f', 'e', 'd', 'c', 'b', 'a'],
      [9, 8, 7, 6, 5, 4, 3, 2, 1],
    ]);
  });

  it('without a model every list is empty and nothing is fetched', async () => {
    const service = createModelReader(undefined, {
      fetch: () => {
        throw new Error('no fetch expected');
      },
    });
    expect(await service.lists(['a'])).toEqual({ similar: {}, together: {} });
    expect(await service.popularity()).toEqual({ ids: [], scores: [] });
  });

  it('rejects with the model error (a missing model, a foreign file)', async () => {
    const missing = createModelReader('https://cdn.test/none/manifest.json', {
      fetch: serve({}).fetch,
    });
    const e1 = await missing.lists(['a']).catch((e) => e);
    expect(isLikewiseError(e1, 'MODEL_FETCH')).toBe(true);
    const foreign = createModelReader(`${M}manifest.json`, {
      fetch: serve({ [`${M}manifest.json`]: { hello: 'world' } }).fetch,
    });
    expect(isLikewiseError(await foreign.popularity().catch((e) => e), 'INVALID_MODEL')).toBe(true);
  });
});

describe('trainLocally', () => {
  it('learns neighbours from the visitor sessions: co-viewed items are neighbours', () => {
    const lists = trainLocally([
      event('view', 'x', 1, { session: 's1' }),
      event('view', 'y', 2, { session: 's1' }),
      event('view', 'x', 3, { session: 's2' }),
      event('view', 'y', 4, { session: 's2' }),
      event('add_to_cart', 'w', 5, { session: 's2' }),
      event('view', 'lonely', 6, { session: 's3' }),
      event('search', undefined, 7, { session: 's3', query: 'shoes' }),
    ]);
    expect(lists.x.ids).toContain('y');
    expect(lists.y.ids).toContain('x');
    expect(lists.x.ids).not.toContain('lonely');
    expect(lists.w.ids).toEqual(expect.arrayContaining(['x', 'y']));
    expect(lists.lonely?.ids ?? []).toEqual([]);
    // y was with x in two sessions, w in one: y ranks first.
    expect(lists.x.ids[0]).toBe('y');
    expect(Array.from(lists.x.scores).every((s) => s > 0)).toBe(true);
  });

  it('keeps items named like Object.prototype properties as lists of their own, in a copy too', () => {
    const names = ['__proto__', 'constructor', 'toString'];
    const lists = trainLocally(
      ['s1', 's2'].flatMap((session, s) =>
        [...names, 'x'].map((id, i) => event('view', id, 10 * s + i, { session })),
      ),
    );
    for (const copy of [lists, structuredClone(lists)]) {
      for (const id of names) {
        expect(Object.hasOwn(copy, id), id).toBe(true);
        expect(copy[id].ids, id).toEqual(expect.arrayContaining(['x']));
      }
      expect([...copy.x.ids].sort()).toEqual([...names].sort());
    }
  });
});
