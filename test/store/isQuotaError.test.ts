import { describe, expect, it } from 'vitest';
import { isQuotaError } from '../../src/store/isQuotaError';

describe('isQuotaError', () => {
  it('recognises quota errors from every engine, wrapped or not', () => {
    const quota = new DOMException('Quota exceeded', 'QuotaExceededError');
    expect(isQuotaError(quota)).toBe(true);
    expect(isQuotaError(new DOMException('x', 'NS_ERROR_DOM_QUOTA_REACHED'))).toBe(true);
    expect(isQuotaError(Object.assign(new DOMException('x', 'AbortError'), { inner: quota }))).toBe(
      true,
    );
    expect(isQuotaError(new Error('aborted', { cause: quota }))).toBe(true);
    expect(isQuotaError(new DOMException('The quota has been exceeded.', 'UnknownError'))).toBe(
      true,
    );
  });

  it('does not mistake other failures for quota', () => {
    expect(isQuotaError(new DOMException('x', 'AbortError'))).toBe(false);
    expect(isQuotaError(new DOMException('x', 'UnknownError'))).toBe(false);
    expect(isQuotaError(new DOMException('x', 'InvalidStateError'))).toBe(false);
    expect(isQuotaError(null)).toBe(false);
    expect(isQuotaError('QuotaExceededError')).toBe(false);
    const loop: { name: string; inner?: unknown } = { name: 'AbortError' };
    loop.inner = loop;
    expect(isQuotaError(loop)).toBe(false);
  });
});
