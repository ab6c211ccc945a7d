import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without types
import { generateBigShop } from '../../bench/generateBigShop.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'likewise-bigshop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Makes (or reuses) a small shop in `out`, returning what it logged. */
async function make(out: string): Promise<string[]> {
  const lines: string[] = [];
  await generateBigShop({ items: 300, events: 3000, out, log: (l: string) => lines.push(l) });
  return lines;
}

describe('the generated big shop (bench/generateBigShop.mjs)', () => {
  it('is reused while what makes it is unchanged, and made again from a shop made by other makers (e.g. an older model format)', async () => {
    const out = join(tmp, 'shop');
    expect((await make(out)).join('\n')).toContain('likewise train');
    expect(await make(out)).toEqual([]);
    // A stamp of the same sizes and seed from other makers: the hand-bumped
    // stamp of format 2's shops, whose files this build's SDK cannot read.
    const stamp = JSON.parse(readFileSync(join(out, 'shop.json'), 'utf8'));
    expect(stamp.makers).toMatch(/^[0-9a-f]{64}$/);
    const { makers: _, ...sizes } = stamp;
    writeFileSync(join(out, 'shop.json'), JSON.stringify({ ...sizes, v: 4 }));
    expect((await make(out)).join('\n')).toContain('likewise train');
    expect(await make(out)).toEqual([]);
  });
});
