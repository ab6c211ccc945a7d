import { describe, expect, it } from 'vitest';
import { createTracker, type TrackerOptions } from '../../src/track/createTracker';
import { counterIds, createFakeDisk, failOnUnhandled } from './fakeStores';

failOnUnhandled();

function setup(options: Partial<TrackerOptions> = {}) {
  const disk = createFakeDisk();
  const errors: unknown[] = [];
  const tracker = createTracker({
    site: 'shop',
    consent: 'granted',
    sessionTimeout: 30 * 60_000,
    report: (e) => errors.push(e),
    now: () => 1000,
    randomId: counterIds(),
    hasIndexedDB: true,
    ...disk.deps,
    ...options,
  });
  return { tracker, disk, errors };
}

describe('createTracker', () => {
  it('forget(): an event tracked just before is erased unannounced, one tracked just after is kept', async () => {
    const { tracker, disk } = setup();
    const seen: string[] = [];
    tracker.subscribe((e) => seen.push(e.itemId!));
    tracker.track({ type: 'view', itemId: 'before' });
    const done = tracker.forget();
    const after = tracker.track({ type: 'view', itemId: 'after' });
    await Promise.all([done, after]);
    expect(seen).toEqual(['after']);
    expect((await tracker.events()).map((e) => e.itemId)).toEqual(['after']);
    const stored = [...disk.dbs.values()].flatMap((db) => db.events);
    expect(stored.map((e) => e.itemId)).toEqual(['after']);
  });

  it('keeps at most maxEvents in memory while consent is pending', async () => {
    const { tracker, disk } = setup({ consent: 'pending', maxEvents: 2 });
    for (const id of ['a', 'b', 'c']) await tracker.track({ type: 'view', itemId: id });
    expect((await tracker.events()).map((e) => e.itemId)).toEqual(['b', 'c']);
    expect(tracker.state()).toBeNull();
    expect(disk.factoryCalls).toBe(0);
  });

  it('says where events go: memory until consent, then the store', async () => {
    const { tracker } = setup({ consent: 'pending', hasIndexedDB: true });
    expect(tracker.storage).toBe('memory');
    await tracker.setConsent('granted');
    expect(tracker.storage).toBe('indexeddb');
    const none = setup({ hasIndexedDB: false });
    expect(none.tracker.storage).toBe('memory');
  });
});
