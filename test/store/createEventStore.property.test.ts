import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventStore } from '../../src/store/createEventStore';
import { event, failOnUnhandledRejections, faultyIndexedDB } from '../support/faultyIndexedDB';
import { fuzzRuns } from '../support/fuzzRuns';
import { erase } from '../support/parts';

failOnUnhandledRejections();

const MAX = 25;
/** What can happen to the log between two appends. */
const op = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), count: fc.integer({ min: 1, max: 15 }) }),
  fc.record({ kind: fc.constant('reopen' as const) }),
  fc.record({ kind: fc.constant('forcedClose' as const) }),
  fc.record({ kind: fc.constant('silentClose' as const) }),
  fc.record({ kind: fc.constant('concurrent' as const), count: fc.integer({ min: 2, max: 10 }) }),
);

describe('createEventStore: interleavings (fast-check)', () => {
  it('appends, compactions, reopens and forced closes keep every event exactly once, up to the cap', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 10 }), async (ops) => {
        const idb = faultyIndexedDB();
        const open = () =>
          createEventStore({ site: 'p', maxEvents: MAX }, { indexedDB: idb.factory, erase });
        let store = open();
        let n = 0;
        // One lost connection at a time: three write failures in a row are
        // the documented switch to memory mode (test 5), not this property.
        let faultPending = false;
        for (const o of ops) {
          if (o.kind === 'append' || o.kind === 'concurrent') faultPending = false;
          if (o.kind === 'append') {
            const from = n;
            n += o.count;
            await store.append(Array.from({ length: o.count }, (_, i) => event(from + i)));
          } else if (o.kind === 'concurrent') {
            // One event per call, all in the same tick (one transaction).
            const from = n;
            n += o.count;
            await Promise.all(
              Array.from({ length: o.count }, (_, i) => store.append([event(from + i)])),
            );
          } else if (o.kind === 'reopen') {
            // The next page: a new store on the same origin.
            store = open();
          } else if (o.kind === 'forcedClose') {
            if (!faultPending) idb.fail({ kind: 'close' });
            faultPending = true;
          } else {
            idb.connections.at(-1)?.close();
          }
        }
        const kept = (await store.events()).map((e) => e.id);
        const expected = Array.from({ length: n }, (_, i) => `ev-${i}`).slice(-MAX);
        expect(kept).toEqual(expected);
        expect(store.mode).toBe('indexeddb');
        // Compacted events are counted, not lost: the aggregates hold the rest.
        const counted = (await store.aggregates()).reduce(
          (s, a) => s + Object.values(a.counts).reduce((x, y) => x + (y ?? 0), 0),
          0,
        );
        expect(counted + kept.length).toBe(n);
      }),
      { numRuns: fuzzRuns(25) },
    );
  });
});
