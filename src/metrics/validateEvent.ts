import { EVENT_TYPE_CODES } from '../engine/types';
import { SCENARIOS as SCENARIO_LIST } from '../model/createRecommender';
import { MAX_TS } from '../track/validateEvent';
import type { EventType, LikewiseEvent, LineItem, Scenario } from '../types';

/** Size limits {@link validateEvent} enforces. All lengths are in UTF-16 code units. */
export interface EventLimits {
  /** Longest `id`, `session`, `widget`, `visitor`. Default 64. */
  maxIdLength?: number;
  /** Longest `itemId` (also inside `items`), `query` and `rec`. Default 256. */
  maxItemIdLength?: number;
  /** Most lines in `items`. Default 100. */
  maxLines?: number;
}

/** Result of {@link validateEvent}: the cleaned event, or why it was refused. */
export type ValidateEventResult = { ok: true; event: LikewiseEvent } | { ok: false; error: string };

// The same lists the tracker checks against: one place to add a type or a scenario.
const TYPES: ReadonlySet<string> = new Set(EVENT_TYPE_CODES);
const SCENARIOS: ReadonlySet<string> = new Set(SCENARIO_LIST);
const CURRENCY = /^[A-Z]{3}$/;

function isId(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max;
}
function isQuantity(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 1e6;
}
function isPrice(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}

/**
 * Checks one event in its stored / wire form ({@link LikewiseEvent}) and
 * returns a copy holding only the documented fields (unknown fields are
 * dropped, so nothing undocumented is ever stored or sent). Used by the
 * collector on every batch and by `mergeRemoteHistory` on remote history.
 *
 * Rules: `id`, `session` non-empty strings of at most 64 characters; `type` a
 * known {@link EventType}; `ts` ms since 1970, before 2100; `itemId` at most 256
 * characters; `items` an array of at most 100 `{ itemId, quantity?, price? }`;
 * `quantity` a positive integer; `price` finite and >= 0; `currency` three
 * capital letters; `query` and `rec` at most 256 characters; `widget`,
 * `visitor` at most 64; `pos` an integer from 0 to 10,000; `group`
 * `treatment` or `holdout`; `scenario` a known {@link Scenario}.
 *
 * @param value - Anything (parsed JSON).
 * @param limits - See {@link EventLimits}.
 * @returns `{ ok: true, event }` or `{ ok: false, error }` with a short reason.
 * @example
 * const r = validateEvent(JSON.parse(line));
 * if (!r.ok) console.warn(r.error);
 */
export function validateEvent(value: unknown, limits: EventLimits = {}): ValidateEventResult {
  const maxId = limits.maxIdLength ?? 64;
  const maxItem = limits.maxItemIdLength ?? 256;
  const maxLines = limits.maxLines ?? 100;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'event is not an object' };
  }
  const o = value as Record<string, unknown>;
  if (!isId(o.id, maxId))
    return { ok: false, error: `id must be a string of 1 to ${maxId} characters` };
  if (typeof o.type !== 'string' || !TYPES.has(o.type)) {
    return { ok: false, error: 'type is not a known event type' };
  }
  if (typeof o.ts !== 'number' || !(o.ts > 0 && o.ts < MAX_TS)) {
    return { ok: false, error: 'ts must be a time in ms since 1970, before 2100' };
  }
  if (!isId(o.session, maxId)) {
    return { ok: false, error: `session must be a string of 1 to ${maxId} characters` };
  }
  const event: LikewiseEvent = {
    id: o.id,
    type: o.type as EventType,
    ts: o.ts,
    session: o.session,
  };
  if (o.itemId !== undefined) {
    if (!isId(o.itemId, maxItem))
      return { ok: false, error: `itemId must be a string of 1 to ${maxItem} characters` };
    event.itemId = o.itemId;
  }
  if (o.items !== undefined) {
    if (!Array.isArray(o.items) || o.items.length > maxLines) {
      return { ok: false, error: `items must be an array of at most ${maxLines} lines` };
    }
    const lines: LineItem[] = [];
    for (const raw of o.items) {
      const l = raw as Record<string, unknown> | null;
      if (typeof l !== 'object' || l === null || !isId(l.itemId, maxItem)) {
        return { ok: false, error: 'every line in items needs an itemId' };
      }
      const line: LineItem = { itemId: l.itemId };
      if (l.quantity !== undefined) {
        if (!isQuantity(l.quantity))
          return { ok: false, error: 'line quantity must be a positive integer' };
        line.quantity = l.quantity;
      }
      if (l.price !== undefined) {
        if (!isPrice(l.price))
          return { ok: false, error: 'line price must be a finite number >= 0' };
        line.price = l.price;
      }
      lines.push(line);
    }
    event.items = lines;
  }
  if (o.quantity !== undefined) {
    if (!isQuantity(o.quantity)) return { ok: false, error: 'quantity must be a positive integer' };
    event.quantity = o.quantity;
  }
  if (o.price !== undefined) {
    if (!isPrice(o.price)) return { ok: false, error: 'price must be a finite number >= 0' };
    event.price = o.price;
  }
  if (o.currency !== undefined) {
    if (typeof o.currency !== 'string' || !CURRENCY.test(o.currency)) {
      return { ok: false, error: 'currency must be an ISO 4217 code' };
    }
    event.currency = o.currency;
  }
  if (o.query !== undefined) {
    if (typeof o.query !== 'string' || o.query.length > maxItem) {
      return { ok: false, error: `query must be a string of at most ${maxItem} characters` };
    }
    event.query = o.query;
  }
  for (const key of ['rec', 'widget', 'visitor'] as const) {
    if (o[key] !== undefined) {
      // `rec` as the tracker takes it (up to 256, like item ids).
      const max = key === 'rec' ? maxItem : maxId;
      if (!isId(o[key], max))
        return { ok: false, error: `${key} must be a string of 1 to ${max} characters` };
      event[key] = o[key] as string;
    }
  }
  if (o.pos !== undefined) {
    if (typeof o.pos !== 'number' || !Number.isInteger(o.pos) || o.pos < 0 || o.pos > 10_000) {
      return { ok: false, error: 'pos must be an integer from 0 to 10000' };
    }
    event.pos = o.pos;
  }
  if (o.group !== undefined) {
    if (o.group !== 'treatment' && o.group !== 'holdout') {
      return { ok: false, error: 'group must be treatment or holdout' };
    }
    event.group = o.group;
  }
  if (o.scenario !== undefined) {
    if (typeof o.scenario !== 'string' || !SCENARIOS.has(o.scenario)) {
      return { ok: false, error: 'scenario is not a known scenario' };
    }
    event.scenario = o.scenario as Scenario;
  }
  return { ok: true, event };
}
