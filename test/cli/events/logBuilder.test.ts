// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { LogBuilder } from '../../../src/cli/events/logBuilder';
import { csvLayout } from '../../../src/cli/events/logLayout';

const MS = 1_700_000_000_000;

describe('LogBuilder', () => {
  it('keeps file order across batched rows and rows pushed as strings', () => {
    const b = new LogBuilder(4, csvLayout('user,item,timestamp,type').layout, false);
    const buf = Buffer.from('u1i1u2i2');
    b.row(buf, 0, 2, 11, 2, 4, 22, 0, MS);
    b.pushStrings('u3', 'i3', 1, MS);
    b.row(buf, 4, 6, 33, 6, 8, 44, 2, MS);
    b.flush();
    expect(b.rows.length).toBe(3);
    expect([...b.rows.users.subarray(0, 3)].map((u) => b.users.ids[u])).toEqual(['u1', 'u3', 'u2']);
    expect([...b.rows.types.subarray(0, 3)]).toEqual([0, 1, 2]);
  });

  it('skips rows with an empty or over-long id, no type or an implausible time, without interning their ids', () => {
    const b = new LogBuilder(4, csvLayout('user,item').layout, false);
    b.pushStrings('', 'i', 0, MS);
    b.pushStrings('u', 'x'.repeat(1025), 0, MS);
    b.pushStrings('u', 'i', -1, MS);
    b.pushStrings('u', 'i', 0, MS * 1000);
    b.pushStrings('u', 'é'.repeat(512), 0, MS);
    b.flush();
    expect(b.skipped).toBe(4);
    expect(b.rows.length).toBe(1);
    expect(b.users.ids).toEqual(['u']);
  });
});
