// The size budgets of package.json "sizeBudgets" are part of the test suite:
// a bundle that grows past its budget fails `npm test`.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without types
import { measureSizes } from '../../scripts/sizes.mjs';

describe('bundle size budgets', () => {
  const sizes = measureSizes(resolve(__dirname, '../..')) as {
    file: string;
    gzip: number;
    budget: number;
  }[];

  it('budgets exist for the script-tag core', () => {
    expect(sizes.map((s) => s.file)).toContain('dist/likewise.iife.js');
  });

  for (const s of sizes) {
    it(`${s.file} is within its gzip budget`, () => {
      expect(s.gzip).toBeGreaterThan(0);
      expect(s.gzip).toBeLessThanOrEqual(s.budget);
    });
  }
});
