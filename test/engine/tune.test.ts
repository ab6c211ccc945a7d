import { describe, expect, it } from 'vitest';
import { evaluate, splitLeaveLastOut } from '../../src/engine/evaluate';
import { DEFAULT_CONFIG, modelOf, tune } from '../../src/engine/tune';
import type { InteractionLog } from '../../src/engine/types';
import { syntheticLog } from './synthetic';

describe('tune', () => {
  const log = syntheticLog({ users: 150, items: 60, seed: 4 });

  it('chooses without looking at the test items: other test items, the same choice', () => {
    // Two logs with the same training part (one pair per user and item),
    // each user's latest pair after it: their own test item, or an item
    // they never met.
    const { train, testItems } = splitLeaveLastOut(log);
    const withTest = (pick: (u: number, met: Set<number>) => number): InteractionLog => {
      const n = train.length + train.userCount;
      const out: InteractionLog = {
        itemIds: train.itemIds,
        userCount: train.userCount,
        users: new Uint32Array(n),
        items: new Uint32Array(n),
        types: new Uint8Array(n),
        times: new Float64Array(n),
        length: n,
      };
      const met = Array.from({ length: train.userCount }, () => new Set<number>());
      let latest = 0;
      for (let r = 0; r < train.length; r++) {
        out.users[r] = train.users[r];
        out.items[r] = train.items[r];
        out.types[r] = train.types[r];
        out.times[r] = train.times[r];
        met[train.users[r]].add(train.items[r]);
        latest = Math.max(latest, train.times[r]);
      }
      for (let u = 0; u < train.userCount; u++) {
        const r = train.length + u;
        out.users[r] = u;
        out.items[r] = pick(u, met[u]);
        out.times[r] = latest + 1000;
      }
      return out;
    };
    const own = tune(withTest((u) => testItems[u]));
    const other = tune(
      withTest((u, met) => {
        let i = 0;
        while (met.has(i) || i === testItems[u]) i++;
        return i;
      }),
    );
    expect(other.candidates.map((c) => [c.metrics.hr10, c.metrics.ndcg10])).toEqual(
      own.candidates.map((c) => [c.metrics.hr10, c.metrics.ndcg10]),
    );
    expect(other.config).toEqual(own.config);
    // The test items do matter to the evaluation itself (else this proves nothing).
    expect(evaluate(withTest((u) => testItems[u])).models.default.hr10).toBeGreaterThan(0);
  });

  it('scores every candidate, keeps the best on validation, and starts from the default', () => {
    const seen: string[] = [];
    const result = tune(log, { onCandidate: (c) => seen.push(c.step) });
    expect(seen).toEqual(result.candidates.map((c) => c.step));
    expect(seen[0]).toBe('start cosine');
    expect(result.candidates[0].config).toEqual(DEFAULT_CONFIG);
    expect(seen).toContain('start sequence');
    for (const step of ['window', 'backward', 'popularity blend', 'K', 'history half-life'])
      expect(seen).toContain(step);
    const objective = (m: { hr10: number; ndcg10: number }) => m.hr10 + m.ndcg10;
    const best = Math.max(...result.candidates.map((c) => objective(c.metrics)));
    expect(objective(result.metrics)).toBe(best);
    // The validation figures are the default model's on the training part.
    const onTrain = evaluate(splitLeaveLastOut(log).train, {
      models: { d: modelOf(DEFAULT_CONFIG) },
    }).models.d;
    expect(result.candidates[0].metrics.hr10).toBe(onTrain.hr10);
  });

  it('tries event-type weights only when the log has more than one of those types', () => {
    const views = { ...log, types: new Uint8Array(log.length) };
    expect(tune(views).candidates.some((c) => c.step === 'event-type weights')).toBe(false);
    expect(tune(log).candidates.some((c) => c.step === 'event-type weights')).toBe(true);
  });

  it('stops starting candidates at the time budget', () => {
    let t = 0;
    const result = tune(log, { budgetMs: 5, now: () => (t += 1) });
    expect(result.stoppedEarly).toBe(true);
    expect(result.candidates.length).toBeLessThan(5);
  });
});
