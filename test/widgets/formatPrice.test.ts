import { describe, expect, it } from 'vitest';
import { formatPrice } from '../../src/widgets/formatPrice';

describe('formatPrice', () => {
  it('formats in the currency and the locale', () => {
    expect(formatPrice(12.5, 'EUR', 'en-US')).toBe('€12.50');
    expect(formatPrice(12.5, 'EUR', 'de-DE')).toBe('12,50\u00a0€');
    expect(formatPrice(1200, 'JPY', 'en-US')).toBe('¥1,200');
    expect(formatPrice(0, 'USD', 'en-US')).toBe('$0.00');
  });

  it('reads en_US as en-US', () => {
    expect(formatPrice(1234.5, 'USD', 'de_DE')).toBe('1.234,50\u00a0$');
  });

  it('falls back instead of throwing on a bad locale or currency', () => {
    expect(formatPrice(3, 'EUR', 'not a locale!')).toContain('3.00');
    expect(formatPrice(3, 'EURO', 'en-US')).toBe('3');
    expect(formatPrice(3, undefined, 'en-US')).toBe('3');
  });

  it('shows nothing for a missing or non-finite price', () => {
    for (const p of [undefined, null, Number.NaN, Number.POSITIVE_INFINITY, '12']) {
      expect(formatPrice(p, 'EUR', 'en-US')).toBe('');
    }
  });
});
