// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { safeUrl } from '../../src/shared/safeUrl';

const base = 'https://shop.example/cat/page.html';

describe('safeUrl (RELIABILITY 19)', () => {
  it.each([
    ['javascript:alert(1)'],
    ['JaVaScRiPt:alert(1)'],
    [' javascript:alert(1)'],
    ['\x01javascript:alert(1)'],
    ['java\tscript:alert(1)'],
    ['java\nscript:alert(1)'],
    ['\njavascript:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['DATA:image/svg+xml,<svg onload=alert(1)>'],
    ['vbscript:msgbox(1)'],
    ['file:///etc/passwd'],
    ['ftp://example.com/x'],
    ['blob:https://shop.example/uuid'],
    ['mailto:a@b.c'],
    ['http://[not a host'],
    [''],
    ['   '],
  ])('refuses %j', (raw) => {
    expect(safeUrl(raw, base)).toBeUndefined();
  });

  it.each([
    ['https://cdn.example/a.jpg', 'https://cdn.example/a.jpg'],
    ['HTTP://Shop.Example/A', 'http://shop.example/A'],
    ['/p/sku-1', 'https://shop.example/p/sku-1'],
    ['sku-2.html', 'https://shop.example/cat/sku-2.html'],
    ['../up?q=1#top', 'https://shop.example/up?q=1#top'],
    ['//other.example/x', 'https://other.example/x'],
    ['  /trimmed  ', 'https://shop.example/trimmed'],
  ])('accepts %j as %j', (raw, expected) => {
    expect(safeUrl(raw, base)).toBe(expected);
  });

  it('refuses non-strings and huge strings', () => {
    for (const raw of [undefined, null, 42, {}, ['/a'], { toString: () => '/a' }]) {
      expect(safeUrl(raw, base)).toBeUndefined();
    }
    expect(safeUrl(`/${'a'.repeat(5000)}`, base)).toBeUndefined();
  });

  it('resolves relative URLs against the page by default', () => {
    expect(safeUrl('/p/1')).toBe(new URL('/p/1', location.href).href);
  });

  it('refuses relative URLs when there is no http(s) base', () => {
    expect(safeUrl('/p/1', 'about:blank')).toBeUndefined();
  });
});
