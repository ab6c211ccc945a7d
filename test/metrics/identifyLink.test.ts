import { describe, expect, it } from 'vitest';
import { checkIdentifyLink } from '../../src/metrics/identifyLink';

const hash = 'f0'.repeat(32);
const link = { id: 'l1', type: 'identify', ts: 1_700_000_000_000, visitor: 'v1', customer: hash };

describe('checkIdentifyLink', () => {
  it('keeps a link with its own fields only, and leaves what is no link alone', () => {
    expect(checkIdentifyLink({ ...link, email: 'a@b.example' })).toEqual({ ok: true, link });
    for (const other of [null, 'identify', [link], { ...link, type: 'view' }])
      expect(checkIdentifyLink(other)).toBeUndefined();
  });

  it('refuses a raw customer id, a missing visitor, a bad id or time, with exact reasons', () => {
    expect(checkIdentifyLink({ ...link, customer: 'customer-42' })).toEqual({
      ok: false,
      error: 'customer must be a SHA-256 hash (64 lowercase hex digits)',
    });
    expect(checkIdentifyLink({ ...link, customer: hash.toUpperCase() })?.ok).toBe(false);
    expect(checkIdentifyLink({ ...link, visitor: '' })).toEqual({
      ok: false,
      error: 'visitor must be a string of 1 to 64 characters',
    });
    expect(checkIdentifyLink({ ...link, id: 'x'.repeat(65) })?.ok).toBe(false);
    expect(checkIdentifyLink({ ...link, ts: 1_700_000_000_000_000 })?.ok).toBe(false);
  });
});
