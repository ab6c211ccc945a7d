/**
 * Where the fields of an event line are: the input format, the roles of CSV
 * columns (from the header) and of NDJSON keys.
 */

/** Input formats {@link readEvents} understands. */
export type EventFileFormat = 'csv' | 'ndjson';

/** Column roles, in a CSV header or as NDJSON keys. */
export const ROLE_NONE = 0;
export const ROLE_USER = 1;
export const ROLE_ITEM = 2;
export const ROLE_TIME_S = 3;
export const ROLE_TIME_MS = 4;
export const ROLE_TYPE = 5;
export const ROLE_SESSION = 6;

export const ROLE_BY_NAME = new Map<string, number>([
  ['user', ROLE_USER],
  ['user_id', ROLE_USER],
  ['userid', ROLE_USER],
  ['visitor', ROLE_USER],
  ['customer', ROLE_USER],
  ['session', ROLE_SESSION],
  ['session_id', ROLE_SESSION],
  ['item', ROLE_ITEM],
  ['item_id', ROLE_ITEM],
  ['itemid', ROLE_ITEM],
  ['product', ROLE_ITEM],
  ['product_id', ROLE_ITEM],
  ['timestamp', ROLE_TIME_S],
  ['time', ROLE_TIME_S],
  ['ts', ROLE_TIME_MS],
  ['type', ROLE_TYPE],
  ['event', ROLE_TYPE],
  ['event_type', ROLE_TYPE],
]);

/** How lines are read: the format and, for CSV, the role of each column. */
export interface LogLayout {
  format: EventFileFormat;
  /** CSV: role of each column. */
  columns: number[];
  /** CSV: false when there is no type column (every row is a `view`). */
  hasTypeColumn: boolean;
}

/**
 * The CSV layout from its first line. Returns `header: false` when that
 * line names no user and item columns (it is data, in the default order).
 */
export function csvLayout(firstLine: string): { layout: LogLayout; header: boolean } {
  const names = firstLine.split(',').map((s) =>
    s
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase(),
  );
  const roles = names.map((name) => ROLE_BY_NAME.get(name) ?? ROLE_NONE);
  const has = (role: number) => roles.includes(role);
  if (!((has(ROLE_USER) || has(ROLE_SESSION)) && has(ROLE_ITEM))) {
    return {
      layout: {
        format: 'csv',
        columns: [ROLE_USER, ROLE_ITEM, ROLE_TIME_S, ROLE_TYPE],
        hasTypeColumn: true,
      },
      header: false,
    };
  }
  // A `user` column wins over a `session` column.
  const sessionRole = has(ROLE_USER) ? ROLE_NONE : ROLE_USER;
  for (let i = 0; i < roles.length; i++) if (roles[i] === ROLE_SESSION) roles[i] = sessionRole;
  // Keep only the first column of each role.
  const seen = new Set<number>();
  for (let i = 0; i < roles.length; i++) {
    const r = roles[i] === ROLE_TIME_MS ? ROLE_TIME_S : roles[i];
    if (r === ROLE_NONE) continue;
    if (seen.has(r)) roles[i] = ROLE_NONE;
    seen.add(r);
  }
  return { layout: { format: 'csv', columns: roles, hasTypeColumn: has(ROLE_TYPE) }, header: true };
}

const KEY_BYTES: [Buffer, number][] = [...ROLE_BY_NAME].flatMap(([name, role]) => {
  const out: [Buffer, number][] = [[Buffer.from(name, 'latin1'), role]];
  // camelCase spellings used by the SDK's own events (itemId, userId).
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  if (name === 'itemid') out.push([Buffer.from('itemId', 'latin1'), role]);
  else if (name === 'userid') out.push([Buffer.from('userId', 'latin1'), role]);
  else if (camel !== name) out.push([Buffer.from(camel, 'latin1'), role]);
  return out;
});

/** Role of the NDJSON key `buf[start, end)`. */
export function keyRole(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  outer: for (const [name, role] of KEY_BYTES) {
    if (name.length !== len) continue;
    for (let i = 0; i < len; i++) if (buf[start + i] !== name[i]) continue outer;
    return role;
  }
  return ROLE_NONE;
}

export function formatFromPath(path: string): EventFileFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.ndjson') || lower.endsWith('.jsonl') || lower.endsWith('.json')) {
    return 'ndjson';
  }
  return undefined;
}
