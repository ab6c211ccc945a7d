// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { RowSink } from '../../../src/cli/events/rowSink';

describe('RowSink', () => {
  it('keeps every pushed row in order as it grows past its capacity', () => {
    const sink = new RowSink(2, false);
    for (let r = 0; r < 3000; r++) sink.push(r, r * 2, r % 8, r * 1000);
    expect(sink.length).toBe(3000);
    expect([sink.users[2999], sink.items[2999], sink.types[2999], sink.times[2999]]).toEqual([
      2999,
      5998,
      2999 % 8,
      2999000,
    ]);
    expect(sink.users[0]).toBe(0);
  });

  it('puts its columns in shared memory when asked', () => {
    expect(new RowSink(4, true).users.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(new RowSink(4, false).users.buffer).not.toBeInstanceOf(SharedArrayBuffer);
  });

  it('writes into its region until it outgrows it, then into columns of its own', () => {
    const whole = new RowSink(10, true);
    const region = {
      users: whole.users,
      items: whole.items,
      types: whole.types,
      times: whole.times,
      at: 6,
    };
    const sink = new RowSink(4, true, region);
    for (let r = 0; r < 4; r++) sink.push(r + 1, 0, 0, 0);
    expect(sink.inRegion).toBe(true);
    expect([...whole.users.subarray(6, 10)]).toEqual([1, 2, 3, 4]);
    sink.push(5, 0, 0, 0);
    expect(sink.inRegion).toBe(false);
    expect([...sink.users.subarray(0, 5)]).toEqual([1, 2, 3, 4, 5]);
  });
});
