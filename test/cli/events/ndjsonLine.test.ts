// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { parseLines } from './parseLines';

const MS = 1_700_000_000_000;

describe('ndjsonLine', () => {
  it('reads a flat object in place and the same object through JSON.parse to the same row', () => {
    const fast = parseLines('ndjson', [`{"user":"u1","item":"i1","ts":${MS},"type":"view"}`]);
    // An escape sends the line to the slow path.
    const slow = parseLines('ndjson', [`{"user":"u\\u0031","item":"i1","ts":${MS},"type":"view"}`]);
    expect(fast).toEqual({ rows: [['u1', 'i1', 0, MS]], skipped: 0 });
    expect(slow).toEqual(fast);
  });

  it("reads the SDK's events: session as user unless a user is given, numeric ids, one row per purchase line", () => {
    const r = parseLines('ndjson', [
      `{"id":"e1","type":"view","ts":${MS},"session":"s1","itemId":"a"}`,
      `{"id":"e2","type":"view","ts":${MS},"session":"s1","userId":"c9","itemId":42}`,
      `{"id":"e3","type":"purchase","ts":${MS},"session":"s1","items":[{"itemId":"a"},{"itemId":"b"}]}`,
    ]);
    expect(r.rows).toEqual([
      ['s1', 'a', 0, MS],
      ['c9', '42', 0, MS],
      ['s1', 'a', 4, MS],
      ['s1', 'b', 4, MS],
    ]);
  });

  it('reads arrays of events, and skips broken JSON, non-objects, and events without a user or item', () => {
    const r = parseLines('ndjson', [
      `[{"user":"u","item":"x","ts":${MS},"type":"view"},{"user":"u","item":"y","ts":${MS},"type":"view"}]`,
      '{"user":"u",',
      '42',
      `{"item":"x","ts":${MS},"type":"view"}`,
      `{"user":"u","ts":${MS},"type":"view"}`,
      '   ',
    ]);
    expect(r.rows.map((row) => row[1])).toEqual(['x', 'y']);
    expect(r.skipped).toBe(4);
  });
});
