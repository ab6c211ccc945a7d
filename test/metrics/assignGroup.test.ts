import { describe, expect, it } from 'vitest';
import { assignGroup, hash32, servedScenario } from '../../src/metrics/assignGroup';

const ids = Array.from({ length: 10_000 }, (_, i) => `anon-${i.toString(36)}-${(i * 7919) % 1000}`);

describe('assignGroup', () => {
  it('is the same for the same id every time (reloads, tabs)', () => {
    const first = ids.map((id) => assignGroup(id, { holdout: 0.1 }));
    const again = ids.map((id) => assignGroup(id, { holdout: 0.1 }));
    expect(again).toEqual(first);
    expect(assignGroup('visitor-42', { holdout: 0.5 })).toBe(
      assignGroup('visitor-42', { holdout: 0.5 }),
    );
  });

  it('puts about the holdout share of 10,000 ids in the holdout', () => {
    for (const share of [0.1, 0.5]) {
      const held =
        ids.filter((id) => assignGroup(id, { holdout: share }) === 'holdout').length / ids.length;
      // Binomial sd at 10,000 ids is at most 0.005: 3 sd.
      expect(Math.abs(held - share)).toBeLessThan(0.015);
    }
  });

  it('a larger holdout only adds visitors to it (nobody switches back)', () => {
    for (const id of ids.slice(0, 2000)) {
      if (assignGroup(id, { holdout: 0.1 }) === 'holdout')
        expect(assignGroup(id, { holdout: 0.2 })).toBe('holdout');
    }
  });

  it('0 and 1 put everyone in treatment and holdout; no experiment means treatment', () => {
    expect(ids.slice(0, 500).every((id) => assignGroup(id, { holdout: 0 }) === 'treatment')).toBe(
      true,
    );
    expect(ids.slice(0, 500).every((id) => assignGroup(id, { holdout: 1 }) === 'holdout')).toBe(
      true,
    );
    expect(assignGroup('x')).toBe('treatment');
  });

  it('a new salt reshuffles the split', () => {
    const a = ids.slice(0, 2000).map((id) => assignGroup(id, { holdout: 0.5 }));
    const b = ids.slice(0, 2000).map((id) => assignGroup(id, { holdout: 0.5, salt: 'exp-2' }));
    const same = a.filter((g, i) => g === b[i]).length / a.length;
    expect(same).toBeGreaterThan(0.45);
    expect(same).toBeLessThan(0.55);
  });

  it('hash32 spreads ids that differ in one character', () => {
    expect(hash32('a1')).not.toBe(hash32('a2'));
    const buckets = new Array(10).fill(0);
    for (const id of ids) buckets[Math.floor((hash32(id) / 2 ** 32) * 10)]++;
    for (const b of buckets) expect(Math.abs(b - 1000)).toBeLessThan(130);
  });

  it('refuses bad options with exact messages', () => {
    expect(() => assignGroup('x', { holdout: 1.5 })).toThrow(
      'experiment.holdout must be a number from 0 to 1 (got 1.5).',
    );
    expect(() => assignGroup('x', { holdout: Number.NaN })).toThrow(
      'experiment.holdout must be a number from 0 to 1 (got NaN).',
    );
    expect(() => assignGroup('x', { holdout: 0.1, control: 'x' as 'none' })).toThrow(
      "experiment.control must be 'trending' or 'none' (got x).",
    );
    expect(() => assignGroup('', { holdout: 0.1 })).toThrow(
      'assignGroup: visitorId must be a non-empty string.',
    );
  });
});

describe('servedScenario', () => {
  it('serves trending (or nothing) to the holdout, the configured scenario to treatment', () => {
    expect(servedScenario('for-you', 'treatment', { holdout: 0.1 })).toBe('for-you');
    expect(servedScenario('for-you', 'holdout', { holdout: 0.1 })).toBe('trending');
    expect(servedScenario('similar', 'holdout', { holdout: 0.1, control: 'none' })).toBeNull();
    expect(servedScenario('trending', 'holdout', { holdout: 0.1, control: 'none' })).toBe(
      'trending',
    );
  });
});
