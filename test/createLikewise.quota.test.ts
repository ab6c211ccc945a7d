// @vitest-environment happy-dom
// RELIABILITY 9 through the public API: a full origin, as each engine says it
// (Chromium's QuotaExceededError, the same wrapped in an AbortError, Firefox's
// NS_ERROR_DOM_QUOTA_REACHED): track() resolves, the event is kept, consent
// and its record are untouched. The store tests show the recovery itself.
import { describe, expect, it } from 'vitest';
import { createLikewise } from '../src/createLikewise';
import type { LikewiseError } from '../src/errors';
import { failOnUnhandled } from './support/fakeStores';
import { faultyIndexedDB, rawEntries } from './support/faultyIndexedDB';
import { loadPart } from './support/parts';

failOnUnhandled();

const quota = () => new DOMException('The quota has been exceeded.', 'QuotaExceededError');
const FLAVOURS: Record<string, () => unknown> = {
  QuotaExceededError: quota,
  'AbortError wrapping it': () =>
    Object.assign(new DOMException('The transaction was aborted.', 'AbortError'), {
      inner: quota(),
    }),
  'Firefox NS_ERROR_DOM_QUOTA_REACHED': () =>
    new DOMException('Quota exceeded', 'NS_ERROR_DOM_QUOTA_REACHED'),
};

describe('createLikewise on a full origin (RELIABILITY 9)', () => {
  for (const [name, error] of Object.entries(FLAVOURS))
    it(`${name}: track resolves, the event is kept, consent and its record unchanged`, async () => {
      const idb = faultyIndexedDB();
      const errors: LikewiseError[] = [];
      const lw = createLikewise(
        { site: 'q', consent: 'pending', onError: (e) => errors.push(e) },
        { indexedDB: idb.factory, load: loadPart },
      );
      await lw.setConsent('granted');
      await lw.track({ type: 'view', itemId: 'before' });
      // Every write of the events database fails from now on, recovery included.
      idb.fail({ kind: 'abort', error }, 1000, 'likewise-q.events');
      await expect(lw.track({ type: 'view', itemId: 'full' })).resolves.toBeUndefined();
      expect((await lw.events()).map((e) => e.itemId)).toContain('full');
      expect(lw.consent).toBe('granted');
      expect(errors.map((e) => e.code)).toContain('QUOTA');
      // Only the disposable events database was deleted (recovery ran); the consent record stays.
      expect(idb.deleted).toContain('likewise-q.events');
      expect(idb.deleted.every((n) => n === 'likewise-q.events')).toBe(true);
      const state = new Map(await rawEntries(idb.real, 'likewise-q'));
      expect(state.get('consent')).toMatchObject({ state: 'granted' });
      lw.destroy();
    });

  it('the recovery code cannot load: reported, the event kept, nothing deleted', async () => {
    const idb = faultyIndexedDB();
    const errors: LikewiseError[] = [];
    const lw = createLikewise(
      { site: 'q', onError: (e) => errors.push(e) },
      {
        indexedDB: idb.factory,
        load: (name) => (name === 'erase' ? Promise.reject(Error('offline')) : loadPart(name)),
      },
    );
    await lw.track({ type: 'view', itemId: 'before' });
    idb.fail({ kind: 'abort', error: quota }, 1000, 'likewise-q.events');
    await expect(lw.track({ type: 'view', itemId: 'full' })).resolves.toBeUndefined();
    expect((await lw.events()).map((e) => e.itemId)).toContain('full');
    expect(errors.map((e) => e.code)).toContain('QUOTA');
    expect(
      errors.some(
        (e) =>
          e.message === 'IndexedDB failed: likewise-q.events' &&
          (e.cause as Error)?.message === 'offline',
      ),
    ).toBe(true);
    expect(idb.deleted).toEqual([]);
    lw.destroy();
  });
});
