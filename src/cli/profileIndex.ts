/**
 * The reference collector's side of `identify()`: which visitors each
 * customer hash is linked to (from the stored identify links), and a
 * customer's events across those visitors for the profile endpoint.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { checkIdentifyLink, type IdentifyLink } from '../metrics/identifyLink';
import { validateEvent } from '../metrics/validateEvent';
import type { LikewiseEvent } from '../types';

/** Visitors by customer hash. */
export interface ProfileIndex {
  /** Records a stored link. */
  add(link: IdentifyLink): void;
  /** The visitors linked to `customer`, or undefined for none. */
  visitors(customer: string): ReadonlySet<string> | undefined;
}

/** An empty {@link ProfileIndex}. */
export function createProfileIndex(): ProfileIndex {
  const byCustomer = new Map<string, Set<string>>();
  return {
    add({ customer, visitor }) {
      const set = byCustomer.get(customer) ?? new Set<string>();
      byCustomer.set(customer, set.add(visitor));
    },
    visitors: (customer) => byCustomer.get(customer),
  };
}

/** The lines of an NDJSON file, or none when it does not exist yet. */
async function* lines(path: string): AsyncGenerator<string> {
  const input = createReadStream(path);
  const missing = new Promise<boolean>((done) => {
    input.once('error', () => done(true));
    input.once('open', () => done(false));
  });
  if (await missing) return;
  yield* createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
}

/** The index of the identify links already stored in `path` (a collector's file). */
export async function loadProfileIndex(path: string): Promise<ProfileIndex> {
  const index = createProfileIndex();
  for await (const line of lines(path)) {
    // Most lines are events: only lines that can be links are parsed.
    if (!line.includes('"identify"')) continue;
    try {
      const r = checkIdentifyLink(JSON.parse(line));
      if (r?.ok) index.add(r.link);
    } catch {
      // A torn line from a crash: skipped, as readers do.
    }
  }
  return index;
}

/**
 * The events in `path` of the given visitors: valid events only (no
 * links), the newest `max`, oldest first. What the profile endpoint answers,
 * and what `identify()` merges on the customer's other devices.
 */
export async function readProfile(
  path: string,
  visitors: ReadonlySet<string>,
  max = 1000,
): Promise<LikewiseEvent[]> {
  const found: LikewiseEvent[] = [];
  for await (const line of lines(path)) {
    if (!line.includes('"visitor"')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const visitor = (value as { visitor?: unknown } | null)?.visitor;
    if (typeof visitor !== 'string' || !visitors.has(visitor)) continue;
    const r = validateEvent(value);
    if (r.ok) found.push(r.event);
    // Keep memory bounded on a long history: drop the oldest at a time.
    if (found.length >= 2 * max) {
      found.sort((a, b) => a.ts - b.ts);
      found.splice(0, found.length - max);
    }
  }
  found.sort((a, b) => a.ts - b.ts);
  return found.length > max ? found.slice(found.length - max) : found;
}
