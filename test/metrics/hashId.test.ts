import { webcrypto } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashId, sha256Hex } from '../../src/metrics/hashId';

const utf8 = (s: string) => new TextEncoder().encode(s);

describe('sha256Hex (fallback without Web Crypto)', () => {
  it('matches the FIPS 180-2 test vectors', () => {
    expect(sha256Hex(utf8(''))).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256Hex(utf8('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(sha256Hex(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
});

describe('hashId', () => {
  it('gives the same hex SHA-256 with and without Web Crypto', async () => {
    const a = await hashId('customer-42', 'shop', {
      subtle: webcrypto.subtle as unknown as SubtleCrypto,
    });
    const b = await hashId('customer-42', 'shop', { subtle: null });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(b).toBe(a);
    expect(a).toBe(sha256Hex(utf8('likewise:shop:customer-42')));
  });

  it('never contains the customer id and differs per site', async () => {
    const a = await hashId('alice@example.com', 'shop-a', { subtle: null });
    const b = await hashId('alice@example.com', 'shop-b', { subtle: null });
    expect(a).not.toContain('alice');
    expect(a).not.toBe(b);
  });

  it('falls back when Web Crypto rejects', async () => {
    const broken = { digest: () => Promise.reject(new Error('denied')) };
    expect(await hashId('c', 's', { subtle: broken })).toBe(sha256Hex(utf8('likewise:s:c')));
  });

  it('refuses an empty id at once', () => {
    expect(() => hashId('', 'shop')).toThrow(
      'hashId: customerId must be a string of 1 to 256 characters.',
    );
  });
});
