import { describe, expect, it } from 'vitest';
import { shardOf } from '../../src/model/shardOf';
import { fnv1a } from '../../src/shared/fnv1a';

describe('shardOf', () => {
  it('hashes the UTF-8 bytes of the id (FNV-1a), including non-BMP and lone surrogates', () => {
    for (const id of ['sku-1', 'é-☕', '😀', 'a\uD800b', '']) {
      const expected = fnv1a(new TextEncoder().encode(id)) % 97;
      expect(shardOf(id, 97)).toBe(expected);
    }
  });
});
