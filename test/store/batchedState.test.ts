import { describe, expect, it, vi } from 'vitest';
import type { LikewiseError } from '../../src/errors';
import { batchedState } from '../../src/store/batchedState';
import { createStateStore } from '../../src/store/createStateStore';
import { failOnUnhandledRejections, faultyIndexedDB, rawEntries } from '../support/faultyIndexedDB';
import { erase } from '../support/parts';

failOnUnhandledRejections();

const setup = (stallTimeout?: number) => {
  const idb = faultyIndexedDB();
  const errors: LikewiseError[] = [];
  const state = createStateStore(
    { site: 'shop', stallTimeout, onError: (e) => errors.push(e) },
    { indexedDB: idb.factory, erase },
  );
  return { idb, state, kv: batchedState(state), errors };
};

describe('batchedState', () => {
  it('puts the calls of one tick in one transaction, in their order', async () => {
    const { idb, state, kv } = setup();
    await state.set('warm', 1);
    const before = idb.writes.length;
    await Promise.all(Array.from({ length: 500 }, (_, i) => kv.set(`k${i}`, { i })));
    expect(idb.writes.length - before).toBe(1);
    // Set, delete and set again of one key, and reads, in one tick: applied in order.
    const [a, , , b, c] = await Promise.all([
      kv.get('k1'),
      kv.del('k1'),
      kv.set('k2', 'two'),
      kv.get('k1'),
      kv.get('k2'),
    ]);
    expect([a, b, c]).toEqual([{ i: 1 }, undefined, 'two']);
    expect(idb.writes.length - before).toBe(2);
    await Promise.all(Array.from({ length: 500 }, (_, i) => kv.del(`k${i}`)));
    expect(idb.writes.length - before).toBe(3);
    expect((await rawEntries(idb.real, 'likewise-shop')).map(([k]) => k)).toEqual(['warm']);
  });

  it('calls in later ticks go in later transactions', async () => {
    const { idb, kv } = setup();
    await kv.set('a', 1);
    await kv.set('b', 2);
    expect(idb.writes).toEqual(['likewise-shop', 'likewise-shop']);
    expect(await kv.keys()).toEqual(['a', 'b']);
  });

  it('a hung batch is retried on a new connection, nothing lost', async () => {
    const { idb, kv, errors } = setup(50);
    idb.fail({ kind: 'stall' });
    await Promise.all([kv.set('a', 1), kv.set('b', 2)]);
    expect(idb.connections).toHaveLength(2);
    expect(errors.map((e) => e.cause)).toEqual(['timeout']);
    expect(await rawEntries(idb.real, 'likewise-shop')).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
  });

  it('after three failed attempts the batch runs in memory, and reads see it', async () => {
    const { idb, state, kv, errors } = setup();
    idb.fail({ kind: 'abort', error: () => new DOMException('disk', 'UnknownError') }, 3);
    await Promise.all([kv.set('a', 1), kv.set('b', 2), kv.del('b')]);
    expect(state.mode).toBe('memory');
    expect(errors).toHaveLength(3);
    expect(await Promise.all([kv.get('a'), kv.get('b')])).toEqual([1, undefined]);
  });

  it('leaves a store that is not a connection as it is', () => {
    const plain = { get: vi.fn(), set: vi.fn(), del: vi.fn(), keys: vi.fn() };
    expect(batchedState(plain)).toBe(plain);
  });
});
