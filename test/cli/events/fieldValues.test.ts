// @vitest-environment node
import { describe, expect, it } from 'vitest';
import {
  MS_THRESHOLD,
  parseNumber,
  parseTimeText,
  plausibleTime,
  toMs,
  typeCode,
} from '../../../src/cli/events/fieldValues';
import { ROLE_TIME_MS, ROLE_TIME_S } from '../../../src/cli/events/logLayout';
import { EVENT_TYPE_CODES } from '../../../src/engine/types';

const b = (s: string) => Buffer.from(s, 'latin1');

describe('fieldValues', () => {
  it("reads event types as the engine's codes, and nothing else", () => {
    for (const [code, name] of EVENT_TYPE_CODES.entries())
      expect(typeCode(b(name), 0, name.length)).toBe(code);
    for (const bad of ['views', 'vie', 'View', 'purchased', 'x'])
      expect(typeCode(b(bad), 0, bad.length)).toBe(-1);
  });

  it('parses plain decimals from bytes, NaN for anything the slow path should see', () => {
    expect(parseNumber(b('1700000000'), 0, 10)).toBe(1_700_000_000);
    expect(parseNumber(b('-2.5'), 0, 4)).toBe(-2.5);
    for (const s of ['', '1e3', '12a', '.', '-']) expect(parseNumber(b(s), 0, s.length)).toBeNaN();
  });

  it('takes seconds, milliseconds past 1e11, ts in ms and ISO dates; refuses implausible times', () => {
    expect(toMs(1_700_000_000, ROLE_TIME_S)).toBe(1_700_000_000_000);
    expect(toMs(MS_THRESHOLD, ROLE_TIME_S)).toBe(MS_THRESHOLD);
    expect(toMs(5, ROLE_TIME_MS)).toBe(5);
    expect(parseTimeText('2024-01-02T00:00:00Z', ROLE_TIME_S)).toBe(Date.UTC(2024, 0, 2));
    expect(parseTimeText(' ', ROLE_TIME_S)).toBeNaN();
    expect(plausibleTime(1_700_000_000_000)).toBe(true);
    // Microseconds by mistake: the year 55,000.
    expect(plausibleTime(toMs(1_700_000_000_000_000, ROLE_TIME_S))).toBe(false);
    expect(plausibleTime(Number.NaN)).toBe(false);
  });
});
