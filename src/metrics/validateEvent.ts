import { checkEvent } from '../shared/eventSchema';
import type { LikewiseEvent } from '../types';

/** Result of {@link validateEvent}: the cleaned event, or why it was refused. */
export type ValidateEventResult =
  | { ok: true; event: LikewiseEvent }
  | {
      ok: false;
      /** A short sentence, `<field> must be <rule>` for a broken rule. */
      error: string;
      /** The field at fault (`items[2].price`; `event` for the whole event): a stable key to count refusals by. */
      field: string;
    };

/**
 * Checks one event in its stored / wire form ({@link LikewiseEvent}) and
 * returns a copy holding only the documented fields (unknown fields are
 * dropped, so nothing undocumented is ever stored or sent). Used by the
 * collector on every batch, by `report` on every line and by
 * `mergeRemoteHistory` on remote history.
 *
 * The rules are the tracker's, from the one schema (`checkEvent` in
 * `src/shared/eventSchema.ts`): an event the tracker stores is accepted here,
 * and an event accepted here is one the tracker would have stored. On top of
 * the tracker's input rules, `id` and `session` (1 to 64 characters) and `ts`
 * are required; `visitor` (1 to 64 characters) and `group` (`treatment` or
 * `holdout`) are kept. Never throws on parsed JSON.
 *
 * @param value - Anything (parsed JSON).
 * @returns `{ ok: true, event }` or `{ ok: false, error, field }`.
 * @example
 * const r = validateEvent(JSON.parse(line));
 * if (!r.ok) console.warn(r.error);
 */
export function validateEvent(value: unknown): ValidateEventResult {
  const r = checkEvent(value, true);
  return r.ok
    ? { ok: true, event: r.event as unknown as LikewiseEvent }
    : // The list of types is long for a log line and a count's key.
      {
        ok: false,
        error: r.field === 'type' ? 'type is not a known event type' : r.error,
        field: r.field,
      };
}
