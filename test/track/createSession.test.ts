import { describe, expect, it } from 'vitest';
import { createSession, DEFAULT_SESSION_TIMEOUT, randomId } from '../../src/track/createSession';
import { counterIds } from '../support/fakeStores';

const MIN = 60_000;

describe('createSession', () => {
  it('keeps one session while events come within 30 minutes, and splits after', () => {
    const s = createSession(DEFAULT_SESSION_TIMEOUT, counterIds('s'));
    expect(s.state).toBeUndefined();
    expect(s.touch(0)).toBe('s1');
    expect(s.touch(29 * MIN)).toBe('s1');
    // Inactivity is measured from the last event, not the first.
    expect(s.touch(58 * MIN)).toBe('s1');
    expect(s.touch(88 * MIN + 1)).toBe('s2');
    expect(s.state).toEqual({ id: 's2', last: 88 * MIN + 1 });
  });

  it('uses the configured timeout', () => {
    const s = createSession(1000, counterIds('s'));
    s.touch(0);
    expect(s.touch(1000)).toBe('s1');
    expect(s.touch(2001)).toBe('s2');
  });

  it('keeps an older (replayed) event in the current session', () => {
    const s = createSession(DEFAULT_SESSION_TIMEOUT, counterIds('s'));
    s.touch(100 * MIN);
    expect(s.touch(10 * MIN)).toBe('s1');
    expect(s.state?.last).toBe(100 * MIN);
  });

  it('clock skew: the clock set forward or back by days starts a new session each time, and the next events follow it', () => {
    const DAY = 24 * 60 * MIN;
    const s = createSession(DEFAULT_SESSION_TIMEOUT, counterIds('s'));
    const t = 1_700_000_000_000;
    expect(s.touch(t)).toBe('s1');
    // A page view with the clock 3 days ahead, then corrected: without the
    // rule, every event for 3 days would stay in s2.
    expect(s.touch(t + 3 * DAY)).toBe('s2');
    expect(s.touch(t + MIN)).toBe('s3');
    expect(s.touch(t + 2 * MIN)).toBe('s3');
    expect(s.state).toEqual({ id: 's3', last: t + 2 * MIN });
    // Set back 2 days: a new session, and it continues normally.
    expect(s.touch(t - 2 * DAY)).toBe('s4');
    expect(s.touch(t - 2 * DAY + 10 * MIN)).toBe('s4');
    // Back within the hours a replay can lag: the current session.
    expect(s.touch(t - 2 * DAY - 2 * 60 * MIN)).toBe('s4');
  });

  it('continues a restored session, ignores malformed state, and forgets', () => {
    const s = createSession(DEFAULT_SESSION_TIMEOUT, counterIds('s'));
    s.restore({ id: 42 });
    s.restore('junk');
    s.restore({ id: 'old', last: 0 });
    expect(s.touch(10 * MIN)).toBe('old');
    s.state = undefined;
    expect(s.touch(11 * MIN)).toBe('s1');
  });

  it('draws ids from crypto.getRandomValues', () => {
    const a = randomId();
    expect(a).toMatch(/^[0-9a-f]{24}$/);
    expect(randomId()).not.toBe(a);
  });
});
