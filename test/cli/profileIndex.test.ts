// @vitest-environment node
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProfileIndex, readProfile } from '../../src/cli/profileIndex';

const dir = mkdtempSync(join(tmpdir(), 'likewise-profiles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = 'a1'.repeat(32);
const B = 'b2'.repeat(32);
const ev = (id: string, visitor: string, ts: number) =>
  JSON.stringify({ id, type: 'view', ts, session: 's', itemId: id, visitor });
const link = (id: string, visitor: string, customer: string) =>
  JSON.stringify({ id, type: 'identify', ts: 1_700_000_000_000, visitor, customer });

describe('profileIndex', () => {
  it('links visitors to customers from a collected file, and reads their events oldest first', async () => {
    const file = join(dir, 'c.ndjson');
    writeFileSync(
      file,
      [
        ev('e2', 'phone', 1_700_000_000_002),
        link('l1', 'phone', A),
        ev('e1', 'laptop', 1_700_000_000_001),
        '{"torn',
        ev('e3', 'stranger', 1_700_000_000_003),
        link('l2', 'laptop', A),
        link('l3', 'stranger', B),
        '',
      ].join('\n'),
    );
    const index = await loadProfileIndex(file);
    expect([...(index.visitors(A) ?? [])]).toEqual(['phone', 'laptop']);
    expect(index.visitors('c3'.repeat(32))).toBeUndefined();
    const events = await readProfile(file, index.visitors(A) ?? new Set());
    expect(events.map((e) => e.id)).toEqual(['e1', 'e2']);
    expect((await readProfile(file, new Set(['phone', 'laptop']), 1)).map((e) => e.id)).toEqual([
      'e2',
    ]);
  });

  it('reads a file that does not exist yet as empty', async () => {
    const missing = join(dir, 'none.ndjson');
    expect((await loadProfileIndex(missing)).visitors(A)).toBeUndefined();
    expect(await readProfile(missing, new Set(['x']))).toEqual([]);
  });
});
