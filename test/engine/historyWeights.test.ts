import { describe, expect, it } from 'vitest';
import { recencyWeights } from '../../src/engine/historyWeights';

const weights = (times: number[], halfLife: number) => {
  const out = new Float64Array(times.length);
  recencyWeights(times, times.length, halfLife, out, new Uint32Array(times.length));
  return [...out];
};

describe('recencyWeights', () => {
  it('halves per step back, entries with equal times sharing a step', () => {
    // Newest first: 9 (step 0), the two 5s (step 1), 1 (step 3).
    const w = weights([5, 9, 1, 5], 1);
    for (const [i, v] of [0.5, 1, 0.125, 0.5].entries()) expect(w[i]).toBeCloseTo(v, 12);
    expect(w[0]).toBe(w[3]);
    expect(weights([5, 9, 1, 5], 2)[2]).toBeCloseTo(2 ** -1.5, 12);
  });

  it('gives every entry 1 without a half-life', () => {
    expect(weights([5, 9, 1], Number.POSITIVE_INFINITY)).toEqual([1, 1, 1]);
  });

  it('orders long histories the same way', () => {
    const times = Array.from({ length: 40 }, (_, i) => i % 20);
    const out = weights(times, 1);
    // Time 19 (two entries) is newest; time 0 has 38 entries more recent.
    expect(out[19]).toBe(1);
    expect(out[39]).toBe(1);
    expect(out[0] / 2 ** -38).toBeCloseTo(1, 10);
  });
});
