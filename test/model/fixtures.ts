// A tiny shop, small enough to check by hand: a catalogue of eight items, a
// real model (encodeModel) over them plus one item the catalogue does not
// know (`z`), and a fake fetch that serves both.
import { expect } from 'vitest';
import { isLikewiseError, type LikewiseError } from '../../src/errors';
import { encodeModel, type ModelInput, type ModelNeighbours } from '../../src/model/encodeModel';
import type { ModelFile } from '../../src/model/modelFormat';
import type { CatalogItem, EventType, LikewiseEvent } from '../../src/types';

/** Every id the model knows; `z` is unknown to the catalogue. */
export const MODEL_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'z'];

/** Similar items, best first. */
export const SIMILAR: Record<string, [string, number][]> = {
  a: [
    ['b', 0.9],
    ['z', 0.85],
    ['c', 0.8],
    ['d', 0.5],
  ],
  b: [
    ['a', 0.9],
    ['c', 0.7],
  ],
  c: [
    ['a', 0.8],
    ['b', 0.7],
    ['e', 0.4],
  ],
  d: [
    ['a', 0.5],
    ['f', 0.3],
  ],
  e: [['c', 0.4]],
  f: [
    ['d', 0.3],
    ['g', 0.2],
  ],
  g: [['f', 0.2]],
  z: [['a', 0.85]],
};

/** Bought together, best first. */
export const TOGETHER: Record<string, [string, number][]> = {
  a: [
    ['e', 1],
    ['f', 0.5],
  ],
  b: [['g', 1]],
  e: [['a', 1]],
  f: [['a', 0.5]],
  g: [['b', 1]],
};

/** Popularity: h is the most popular, a the least; z is popular too. */
export const POPULARITY: Record<string, number> = {
  z: 9,
  h: 8,
  g: 7,
  f: 6,
  e: 5,
  d: 4,
  c: 3,
  b: 2,
  a: 1,
};

/** Lists by id as the CSR form encodeModel takes. */
export function csr(ids: string[], lists: Record<string, [string, number][]>): ModelNeighbours {
  const index = new Map(ids.map((id, i) => [id, i]));
  const offsets = new Uint32Array(ids.length + 1);
  const indices: number[] = [];
  const scores: number[] = [];
  ids.forEach((id, i) => {
    for (const [n, s] of lists[id] ?? []) {
      indices.push(index.get(n)!);
      scores.push(s);
    }
    offsets[i + 1] = indices.length;
  });
  return {
    itemIds: ids,
    offsets,
    indices: Uint32Array.from(indices),
    scores: Float32Array.from(scores),
  };
}

/** A sample for the encoder and decoder tests: ids with shared prefixes, non-ASCII and non-BMP. */
export const SAMPLE_IDS = ['a', 'b', 'c', 'd', 'é-☕', '😀'];

/** The sample model's input: lists of every length, a row max above 1, a zero popularity. */
export const SAMPLE_INPUT: ModelInput = {
  neighbours: csr(SAMPLE_IDS, {
    a: [
      ['b', 0.9],
      ['c', 0.3],
    ],
    b: [['a', 0.9]],
    c: [
      ['a', 0.3],
      ['d', 0.2],
      ['😀', 0.01],
    ],
    'é-☕': [['😀', 1.5]],
    '😀': [['é-☕', 1.5]],
  }),
  together: csr(SAMPLE_IDS, { a: [['d', 2]], d: [['a', 2]] }),
  popularity: Float32Array.from([5, 1, 0, 7, 2, 2]),
  k: 3,
  similarity: 'cosine',
  togetherK: 1,
  togetherTypes: ['add_to_cart', 'purchase'],
};

/** Runs `fn`, expects an `INVALID_MODEL` error and returns it (for its message). */
export function invalidModel(fn: () => unknown): LikewiseError {
  try {
    fn();
  } catch (error) {
    expect(isLikewiseError(error, 'INVALID_MODEL')).toBe(true);
    return error as LikewiseError;
  }
  throw new Error('expected an INVALID_MODEL error');
}

/** The tiny model's files (16-bit scores, so neighbour order is exact). */
export function tinyModel(shards = 3): ModelFile[] {
  return encodeModel(
    {
      neighbours: csr(MODEL_IDS, SIMILAR),
      together: csr(MODEL_IDS, TOGETHER),
      popularity: MODEL_IDS.map((id) => POPULARITY[id]),
      k: 4,
      similarity: 'cosine',
    },
    { shards, scoreBits: 16, createdAt: new Date(0) },
  ).files;
}

/** The shop's catalogue: a to h (everything in stock unless overridden). */
export function catalogItems(overrides: Record<string, Partial<CatalogItem>> = {}): CatalogItem[] {
  return ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => ({
    id,
    title: `Item ${id.toUpperCase()}`,
    url: `https://shop.test/p/${id}`,
    price: 10,
    currency: 'EUR',
    category: id < 'e' ? 'shoes' : 'bags',
    ...overrides[id],
  }));
}

/** A fake `fetch` over a map of URL to body, with switches to break it. */
export interface FakeServer {
  fetch: typeof fetch;
  /** Every URL requested, in order. */
  calls: string[];
  /** URLs (or URL prefixes) that answer HTTP 500. */
  broken: Set<string>;
  /** URLs (or URL prefixes) whose request rejects (network down). */
  offline: Set<string>;
}

/**
 * Serves `files` (bytes, or JSON-able values) by absolute URL.
 *
 * @example const server = serve({ 'https://cdn.test/m/': tinyModel() })
 */
export function serve(
  routes: Record<string, ModelFile[] | Uint8Array | string | object>,
): FakeServer {
  const body = new Map<string, Uint8Array | string>();
  for (const [url, value] of Object.entries(routes)) {
    if (Array.isArray(value) && value.every((f) => f && (f as ModelFile).bytes))
      for (const f of value as ModelFile[]) body.set(url + f.name, f.bytes);
    else if (value instanceof Uint8Array || typeof value === 'string') body.set(url, value);
    else body.set(url, JSON.stringify(value));
  }
  const calls: string[] = [];
  const broken = new Set<string>();
  const offline = new Set<string>();
  const hit = (set: Set<string>, url: string) => [...set].some((p) => url.startsWith(p));
  const fetch = (async (input: string | URL) => {
    const url = String(input);
    calls.push(url);
    await new Promise((r) => setTimeout(r, 1));
    if (hit(offline, url)) throw new TypeError('Failed to fetch');
    if (hit(broken, url)) return new Response('oops', { status: 500 });
    const b = body.get(url.split('?')[0]);
    if (b === undefined) return new Response('not found', { status: 404 });
    return new Response(typeof b === 'string' ? b : b.slice(), { status: 200 });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls, broken, offline };
}

let seq = 0;
/** One stored event; sessions default to `s1`. */
export function event(
  type: EventType,
  itemId: string | undefined,
  ts: number,
  extra: Partial<LikewiseEvent> = {},
): LikewiseEvent {
  seq++;
  return { id: `e${seq}`, type, ts, session: 's1', ...(itemId ? { itemId } : {}), ...extra };
}
