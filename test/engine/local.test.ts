import { describe, expect, it } from 'vitest';
import { buildPopularity } from '../../src/engine/buildPopularity';
import { compareIds, idRanks } from '../../src/engine/compareIds';
import { eventsToLog } from '../../src/engine/eventsToLog';
import { localNeighbourSource } from '../../src/engine/localNeighbourSource';
import { blendSources, type NeighbourSource } from '../../src/engine/neighbourSource';
import { createCatalog } from '../../src/model/createCatalog';
import { createRecommender } from '../../src/model/createRecommender';
import { encodeModel } from '../../src/model/encodeModel';
import { hasCoViews } from '../../src/model/hasCoViews';
import type { LikewiseEvent } from '../../src/types';
import { csr, serve } from '../model/fixtures';
import { modelService } from '../support/modelService';
import { logOf } from './fixtures';
import { rng } from './synthetic';

const ev = (
  session: string,
  itemId: string,
  ts: number,
  type: LikewiseEvent['type'] = 'view',
): LikewiseEvent => ({
  id: `${session}-${itemId}-${ts}`,
  type,
  ts,
  session,
  itemId,
});

describe('compareIds', () => {
  it('orders numeric ids numerically, before other ids', () => {
    expect(['b', '10', 'a', '9', '010'].sort(compareIds)).toEqual(['9', '10', '010', 'a', 'b']);
    expect([...idRanks(['b', '10', '9'])]).toEqual([2, 1, 0]);
  });
});

describe('eventsToLog', () => {
  it('makes sessions users and expands multi-item purchases', () => {
    const events: LikewiseEvent[] = [
      ev('s1', 'a', 1),
      {
        id: 'p',
        type: 'purchase',
        ts: 2,
        session: 's1',
        items: [{ itemId: 'b' }, { itemId: 'c' }],
      },
      { id: 'q', type: 'search', ts: 3, session: 's2', query: 'hat' },
      ev('s2', 'a', 4),
    ];
    const log = eventsToLog(events);
    expect(log.userIds).toEqual(['s1', 's2']);
    expect(log.itemIds).toEqual(['a', 'b', 'c']);
    expect(log.length).toBe(4);
    expect([...log.users]).toEqual([0, 0, 0, 1]);
    expect([...log.types]).toEqual([0, 4, 4, 0]);
  });
});

describe('on-device learning', () => {
  const local = localNeighbourSource([
    ev('s1', 'a', 1),
    ev('s1', 'n', 2),
    ev('s2', 'a', 3),
    ev('s2', 'n', 4),
    ev('s2', 'm', 5),
  ]);

  it('scores co-views by the strength of the evidence: sessions / (sessions + 4)', () => {
    const list = local.neighbours('a')!;
    expect(list.ids).toEqual(['n', 'm']);
    // n met with a in 2 sessions, m in 1.
    expect(Array.from(list.scores)).toEqual([2 / 6, 1 / 5]);
  });

  it("blends the shop model with the local one in the shop's units", () => {
    const shop: NeighbourSource = {
      neighbours: (id) => (id === 'a' ? { ids: ['b', 'n'], scores: [0.3, 0.25] } : undefined),
    };
    const blended = blendSources(shop, local, 1);
    // n: 0.25 from the shop + 1 * (2/6) * 0.3 (the shop's best) locally.
    const list = blended.neighbours('a')!;
    expect(list.ids).toEqual(['n', 'b', 'm']);
    expect(list.scores[0]).toBeCloseTo(0.25 + 0.1, 6);
    expect(list.scores[2]).toBeCloseTo(0.06, 6);
    expect(blendSources(shop, local, 0).neighbours('a')?.ids).toEqual(['b', 'n']);
    // No shop list: the local one alone.
    expect(blended.neighbours('m')?.ids).toEqual(['a', 'n']);
  });
});

describe('local learning never swamps the model', () => {
  // The shop's model: each science-fiction book's neighbours are other
  // science-fiction books, at the levels cosine gives; the fantasy and
  // mystery books are not among them.
  const ids = ['fantasy', 'mystery', 'sf1', 'sf2', 'sf3', 'sf4', 'f2', 'm2'];
  const model = encodeModel(
    {
      neighbours: csr(ids, {
        sf1: [
          ['sf2', 0.3],
          ['sf3', 0.25],
          ['sf4', 0.2],
        ],
        fantasy: [['f2', 0.4]],
        mystery: [['m2', 0.4]],
      }),
      popularity: ids.map(() => 1),
      k: 3,
      similarity: 'cosine',
    },
    { shards: 1, scoreBits: 16, createdAt: new Date(0) },
  );
  const M = 'https://cdn.test/m/';
  const similarTo = async (events: LikewiseEvent[], itemId: string) => {
    const server = serve({ [M]: model.files });
    const service = modelService(`${M}manifest.json`, { fetch: server.fetch });
    const errors: unknown[] = [];
    const items = ids.map((id) => ({ id, title: id, url: `https://shop.test/p/${id}` }));
    const recommend = createRecommender(
      { events: async () => events, report: (e) => errors.push(e) },
      createCatalog(items, (e) => errors.push(e)),
      service,
    );
    const recs = await recommend({ type: 'similar', itemId, limit: 5 });
    expect(errors).toEqual([]);
    return recs.map((r) => r.id);
  };

  it('a fresh visitor: two unrelated books, then a third, whose list the model leads', async () => {
    const events = [ev('s1', 'fantasy', 1), ev('s1', 'mystery', 2), ev('s1', 'sf1', 3)];
    const list = await similarTo(events, 'sf1');
    expect(list.slice(0, 3)).toEqual(['sf2', 'sf3', 'sf4']);
    // The visitor's path still counts, behind the model.
    expect(list.slice(3)).toEqual(['fantasy', 'mystery']);
  });

  it('co-views repeated over many sessions move a neighbour up', async () => {
    const events: LikewiseEvent[] = [];
    for (let s = 0; s < 8; s++)
      events.push(ev(`s${s}`, 'sf1', 10 * s), ev(`s${s}`, 'sf4', 10 * s + 1));
    // sf4: 0.2 + 0.5 * (8 / 12) * 0.3 = 0.3, ahead of sf3 (0.25), tied with sf2 (by id after it).
    expect((await similarTo(events, 'sf1')).slice(0, 3)).toEqual(['sf2', 'sf4', 'sf3']);
  });
});

describe('buildPopularity', () => {
  const day = 86_400_000;
  const log = logOf([
    ['u0', 'a', 'view', 0],
    ['u0', 'a', 'view', 0],
    ['u1', 'a', 'view', 0],
    ['u2', 'b', 'view', 10 * day],
    ['u3', 'c', 'dismiss', 10 * day],
  ]);

  it('counts distinct users', () => {
    expect([...buildPopularity(log)]).toEqual([2, 1, 0]);
  });

  it('decays old interest (trending)', () => {
    const pop = buildPopularity(log, { halfLifeDays: 5 });
    expect(pop[0]).toBeCloseTo(2 * 0.25, 6);
    expect(pop[1]).toBeCloseTo(1, 6);
  });
});

describe('hasCoViews', () => {
  it('is false exactly when on-device learning has nothing to say (every local list empty)', () => {
    const random = rng(11);
    let learned = 0;
    let nothing = 0;
    for (let run = 0; run < 300; run++) {
      const events: LikewiseEvent[] = [];
      const n = 1 + Math.floor(random() * 6);
      for (let e = 0; e < n; e++) {
        const session = `s${Math.floor(random() * 3)}`;
        const item = `i${Math.floor(random() * 4)}`;
        if (random() < 0.15)
          events.push({
            id: `p${e}`,
            type: 'purchase',
            ts: e,
            session,
            items: [{ itemId: item }, { itemId: `i${Math.floor(random() * 4)}` }],
          });
        else if (random() < 0.1)
          events.push({ id: `q${e}`, type: 'search', ts: e, session, query: 'x' });
        else events.push(ev(session, item, e, random() < 0.5 ? 'view' : 'add_to_cart'));
      }
      const local = localNeighbourSource(events);
      const ids = ['i0', 'i1', 'i2', 'i3'];
      const heard = ids.some((id) => (local.neighbours(id)?.ids.length ?? 0) > 0);
      expect(hasCoViews(events)).toBe(heard);
      if (heard) learned++;
      else {
        nothing++;
        // The blend then is the shop's lists themselves.
        const lists = new Map(ids.map((id) => [id, { ids: [`${id}-n`], scores: [1] }]));
        const shop = { neighbours: (id: string) => lists.get(id) };
        const blend = blendSources(shop, local);
        for (const id of ids) expect(blend.neighbours(id)).toBe(lists.get(id));
      }
    }
    expect(learned).toBeGreaterThan(50);
    expect(nothing).toBeGreaterThan(50);
  });
});
