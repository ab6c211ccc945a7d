/**
 * The link between a visitor and a shop customer that `identify()` sends to
 * the collector (after consent, with an endpoint): the visitor's anonymous
 * id and the customer's SHA-256 hash, never the customer id itself. The
 * reference collector stores it and answers the profile endpoint with the
 * events of every visitor linked to a customer.
 */

/** A consented `identify()`, as sent to and stored by the collector. */
export interface IdentifyLink {
  /** Unique id (random), so delivery is idempotent like an event's. */
  id: string;
  type: 'identify';
  /** Milliseconds since the epoch. */
  ts: number;
  /** The anonymous visitor id on this device's events. */
  visitor: string;
  /** The customer's hash (`hashId`): 64 lowercase hex digits. */
  customer: string;
}

/** A customer hash as `hashId` writes it. */
export const CUSTOMER_HASH: RegExp = /^[0-9a-f]{64}$/;

/** A time within the year 2100 either side of 1970, in ms. */
const MAX_TS = 4_102_444_800_000;

const idLike = (v: unknown): v is string => typeof v === 'string' && v !== '' && v.length <= 64;

/**
 * Checks an untrusted value that claims to be an {@link IdentifyLink}:
 * `undefined` when it is no identify record at all (not an object, or
 * another `type`), else the link with only its own fields, or why it is not
 * one.
 *
 * @example
 * const r = checkIdentifyLink(JSON.parse(line));
 * if (r?.ok) links.add(r.link.customer, r.link.visitor);
 */
export function checkIdentifyLink(
  value: unknown,
): { ok: true; link: IdentifyLink } | { ok: false; error: string } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  if (o.type !== 'identify') return undefined;
  if (!idLike(o.id)) return { ok: false, error: 'id must be a string of 1 to 64 characters' };
  if (typeof o.ts !== 'number' || !Number.isFinite(o.ts) || Math.abs(o.ts) >= MAX_TS)
    return { ok: false, error: 'ts must be a time in ms since 1970, before 2100' };
  if (!idLike(o.visitor))
    return { ok: false, error: 'visitor must be a string of 1 to 64 characters' };
  if (typeof o.customer !== 'string' || !CUSTOMER_HASH.test(o.customer))
    return { ok: false, error: 'customer must be a SHA-256 hash (64 lowercase hex digits)' };
  return {
    ok: true,
    link: { id: o.id, type: 'identify', ts: o.ts, visitor: o.visitor, customer: o.customer },
  };
}
