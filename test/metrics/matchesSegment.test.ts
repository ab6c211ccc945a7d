import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/metrics/computeProfile';
import { matchesSegment, parseSegment } from '../../src/metrics/matchesSegment';

const profile: Profile = {
  categories: [
    { value: 'Books > Sci-Fi', score: 0.7 },
    { value: 'Kitchen', score: 0.3 },
  ],
  brands: [{ value: 'Tor', score: 1 }],
  price: { band: 'budget', min: 10, median: 12, max: 20, count: 3 },
  segment: 'ready-to-buy',
  pace: 'impulsive',
  cart: ['s1'],
  minutesToCart: 0,
  viewsPerCart: 2,
  sessions: 2,
};

describe('matchesSegment', () => {
  it.each([
    ['ready-to-buy', true],
    ['new', false],
    ['!new', true],
    ['!ready-to-buy', false],
    ['category:sci-fi', true],
    ['category:Books', true],
    ['category:books > sci-fi', true],
    ['category:drama', false],
    ['brand:TOR', true],
    ['brand:penguin', false],
    ['price:budget', true],
    ['price:premium', false],
    ['impulsive', true],
    ['deliberate', false],
    ['new, category:drama', false],
    ['new, brand:tor', true],
    [' !price:premium ,new', true],
  ])('%s -> %s', (expr, expected) => {
    expect(matchesSegment(profile, expr)).toBe(expected);
  });

  it('a profile without prices matches no price band', () => {
    expect(matchesSegment({ ...profile, price: null }, 'price:budget')).toBe(false);
  });

  it('refuses malformed expressions with exact messages', () => {
    expect(() => matchesSegment(profile, '')).toThrow('Empty segment expression.');
    expect(() => parseSegment('vip')).toThrow(
      'Invalid segment "vip" in "vip": expected new, browsing, comparing, ready-to-buy, impulsive, deliberate, category:X, brand:X or price:X.',
    );
    expect(() => parseSegment('new,price:cheap')).toThrow(
      'Invalid segment "price:cheap" in "new,price:cheap": price must be budget, mid or premium.',
    );
    expect(() => parseSegment('color:red')).toThrow('unknown prefix "color"');
    expect(() => parseSegment('new,,brand:x')).toThrow('Invalid segment ""');
  });
});
