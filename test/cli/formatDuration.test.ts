// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from '../../src/cli/formatDuration';

describe('formatDuration and formatBytes', () => {
  it('give a figure in the unit of its scale', () => {
    expect([0.42, 42.4, 3400, 12_345, 125_000].map(formatDuration)).toEqual([
      '0.4 ms',
      '42 ms',
      '3.40 s',
      '12.3 s',
      '2 min 5 s',
    ]);
    expect([512, 35_713, 37_867_757, 5 * 1024 ** 3].map(formatBytes)).toEqual([
      '512 bytes',
      '34.9 KB',
      '36.1 MB',
      '5.00 GB',
    ]);
  });
});
