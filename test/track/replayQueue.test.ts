// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createLikewise } from '../../src/createLikewise';
import { isLikewiseError } from '../../src/errors';
import { replayQueue } from '../../src/track/replayQueue';
import { createFakeDisk, failOnUnhandled } from '../support/fakeStores';

failOnUnhandled();

function target() {
  const calls: unknown[][] = [];
  return {
    calls,
    api: {
      track: (...args: unknown[]) => {
        calls.push(['track', ...args]);
      },
      setConsent: (...args: unknown[]) => {
        calls.push(['setConsent', ...args]);
      },
      broken: () => Promise.reject(new Error('async failure')),
    },
  };
}

describe('replayQueue', () => {
  it('replays queued calls in order, and runs later pushes at once', () => {
    const { api, calls } = target();
    const q = replayQueue(
      [
        ['setConsent', 'pending'],
        ['track', { type: 'view', itemId: 'a' }],
      ],
      api,
      () => {},
    );
    expect(calls).toEqual([
      ['setConsent', 'pending'],
      ['track', { type: 'view', itemId: 'a' }],
    ]);
    expect(q.push(['track', 1], ['track', 2])).toBe(2);
    expect(calls.slice(2)).toEqual([
      ['track', 1],
      ['track', 2],
    ]);
  });

  it('reports bad calls with exact messages and runs the rest', async () => {
    const { api, calls } = target();
    const errors: unknown[] = [];
    replayQueue(
      ['track', ['trak', {}], ['constructor'], [42], ['broken'], ['track', 'last']],
      api,
      (e) => errors.push(e),
    );
    await new Promise((r) => setTimeout(r, 0));
    expect(calls).toEqual([['track', 'last']]);
    expect(errors.map((e) => (e as Error).message)).toEqual([
      'queued call must be [method, ...args], got "track".',
      'queued call must be [method, ...args], got "trak".',
      'queued call must be [method, ...args], got "constructor".',
      'queued call must be [method, ...args], got 42.',
      'queued call failed: async failure',
    ]);
    expect(errors.every((e) => isLikewiseError(e, 'INVALID_INPUT'))).toBe(true);
  });

  it('treats anything but an array as an empty queue', () => {
    const { api, calls } = target();
    replayQueue(undefined, api, () => {});
    replayQueue({ length: 1, 0: ['track'] }, api, () => {});
    expect(calls).toEqual([]);
  });

  it('against a real instance: an invalid event in the middle loses nothing else', async () => {
    const disk = createFakeDisk();
    const lw = createLikewise({ site: 'shop' }, disk.deps);
    const errors: unknown[] = [];
    replayQueue(
      [
        ['track', { type: 'view', itemId: 'a', ts: 100 }],
        ['track', { type: 'view' }],
        ['track', { type: 'view', itemId: 'b', ts: 200 }],
      ],
      lw,
      (e) => errors.push(e),
    );
    expect((await lw.events()).map((e) => [e.itemId, e.ts])).toEqual([
      ['a', 100],
      ['b', 200],
    ]);
    expect(errors.map((e) => (e as Error).message)).toEqual(['event "view" needs an itemId.']);
  });
});
