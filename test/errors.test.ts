import { describe, expect, it } from 'vitest';
import { isLikewiseError, LikewiseError } from '../src/errors';

describe('LikewiseError', () => {
  it('carries a code, a name and an exact message', () => {
    const e = new LikewiseError('INVALID_EVENT', 'bad');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('LikewiseError');
    expect(e.code).toBe('INVALID_EVENT');
    expect(e.message).toBe('bad');
  });

  it('isLikewiseError recognises it, and only it, by code', () => {
    const e = new LikewiseError('QUOTA', 'full');
    expect(isLikewiseError(e)).toBe(true);
    expect(isLikewiseError(e, 'QUOTA')).toBe(true);
    expect(isLikewiseError(e, 'STORAGE')).toBe(false);
    expect(isLikewiseError(new Error('x'))).toBe(false);
    expect(isLikewiseError(null)).toBe(false);
    expect(isLikewiseError({ name: 'LikewiseError', code: 'QUOTA' }, 'QUOTA')).toBe(true);
  });
});
