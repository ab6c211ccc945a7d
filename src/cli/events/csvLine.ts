/**
 * The CSV line parser of the event reader: a straight pass for plain
 * `user,item,timestamp,type` lines, a general path for any column order,
 * quoting and time format.
 */

import { FNV_OFFSET, FNV_PRIME } from '../../shared/fnv1a';
import {
  MS_THRESHOLD,
  parseNumber,
  parseTimeText,
  TYPE_INDEX,
  toMs,
  typeCode,
} from './fieldValues';
import { type LogBuilder, SKIP_COLUMNS, SKIP_QUOTES } from './logBuilder';
import { ROLE_ITEM, ROLE_TIME_MS, ROLE_TIME_S, ROLE_TYPE, ROLE_USER } from './logLayout';

/** FNV-1a hash of the last field {@link plainField} scanned. */
let fieldHash = 0;

/**
 * Scans an unquoted CSV field from `i`, hashing it on the way: returns
 * where it ends (a comma, a quote, or `end`) and leaves the hash in
 * {@link fieldHash}.
 */
function plainField(buf: Uint8Array, i: number, end: number): number {
  let h = FNV_OFFSET;
  while (i < end) {
    const c = buf[i];
    if (c === 0x2c || c === 0x22) break;
    h = Math.imul(h ^ c, FNV_PRIME);
    i++;
  }
  fieldHash = h;
  return i;
}

/**
 * One CSV line `buf[start, end)` without its line break, into `b`. Canonical lines
 * with plain fields and an integer timestamp are read in one straight
 * pass; anything else (quotes, ISO dates, other column orders, errors)
 * goes through the general path.
 */
export function csvLine(b: LogBuilder, buf: Uint8Array, start: number, end: number): void {
  if (end > start && buf[end - 1] === 0x0d) end--;
  if (!b.canonical || end === start) {
    csvGeneral(b, buf, start, end);
    return;
  }
  const userE = plainField(buf, start, end);
  const userH = fieldHash;
  if (userE >= end || buf[userE] !== 0x2c || userE === start) {
    csvGeneral(b, buf, start, end);
    return;
  }
  const itemS = userE + 1;
  const itemE = plainField(buf, itemS, end);
  const itemH = fieldHash;
  if (itemE >= end || buf[itemE] !== 0x2c || itemE === itemS) {
    csvGeneral(b, buf, start, end);
    return;
  }
  let i = itemE;
  const timeS = ++i;
  let t = 0;
  while (i < end) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    t = t * 10 + d;
    i++;
  }
  if (i === timeS || i - timeS > 15 || buf[i] !== 0x2c) {
    csvGeneral(b, buf, start, end);
    return;
  }
  const typeS = ++i;
  while (i < end && buf[i] !== 0x2c) i++;
  const type = i > typeS ? typeCode(buf, typeS, i) : -1;
  if (type < 0) {
    csvGeneral(b, buf, start, end);
    return;
  }
  b.row(buf, start, userE, userH, itemS, itemE, itemH, type, t >= MS_THRESHOLD ? t : t * 1000);
}

/** Any CSV line: columns by role, quotes, any time format; bad lines are counted. */
function csvGeneral(b: LogBuilder, buf: Uint8Array, start: number, end: number): void {
  if (end === start) return;
  const columns = b.columns;
  const ncol = columns.length;
  let userS = -1;
  let userE = -1;
  let userH = 0;
  let itemS = -1;
  let itemE = -1;
  let itemH = 0;
  let type = b.hasTypeColumn ? -1 : 0;
  let time = 0;
  let col = 0;
  let i = start;
  let fieldStart = start;
  let h = FNV_OFFSET;
  for (;;) {
    const c = i < end ? buf[i] : 0x2c;
    if (c === 0x2c) {
      if (col < ncol) {
        const role = columns[col];
        if (role === ROLE_USER) {
          userS = fieldStart;
          userE = i;
          userH = h;
        } else if (role === ROLE_ITEM) {
          itemS = fieldStart;
          itemE = i;
          itemH = h;
        } else if (role === ROLE_TYPE) {
          type = i > fieldStart ? typeCode(buf, fieldStart, i) : -1;
        } else if (role === ROLE_TIME_S || role === ROLE_TIME_MS) {
          const n = parseNumber(buf, fieldStart, i);
          time = !Number.isNaN(n)
            ? toMs(n, role)
            : parseTimeText(
                Buffer.from(buf.buffer, buf.byteOffset + fieldStart, i - fieldStart).toString(
                  'utf8',
                ),
                role,
              );
        }
      }
      col++;
      if (i >= end) break;
      i++;
      fieldStart = i;
      h = FNV_OFFSET;
      continue;
    }
    if (c === 0x22) {
      csvQuotedLine(b, buf, start, end);
      return;
    }
    h = Math.imul(h ^ c, FNV_PRIME);
    i++;
  }
  // A short line (missing columns) is refused for its column count.
  if (col < ncol) b.skip(SKIP_COLUMNS);
  else b.row(buf, userS, userE, userH, itemS, itemE, itemH, type, time);
}

/** Slow path for a CSV line with quoted fields. */
function csvQuotedLine(b: LogBuilder, buf: Uint8Array, start: number, end: number): void {
  const line = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8');
  const fields = splitQuotedCsv(line);
  const columns = b.columns;
  if (fields === null || fields.length < columns.length) {
    b.skip(fields === null ? SKIP_QUOTES : SKIP_COLUMNS);
    return;
  }
  let user = '';
  let item = '';
  let type = b.hasTypeColumn ? -1 : 0;
  let time = Number.NaN;
  for (let col = 0; col < columns.length; col++) {
    const role = columns[col];
    const value = fields[col];
    if (role === ROLE_USER) user = value;
    else if (role === ROLE_ITEM) item = value;
    else if (role === ROLE_TYPE) type = TYPE_INDEX.get(value) ?? -1;
    else if (role === ROLE_TIME_S || role === ROLE_TIME_MS) time = parseTimeText(value, role);
  }
  b.pushStrings(user, item, type, time);
}

/** Splits one CSV line that contains quotes (RFC 4180: `""` inside quotes is a quote). */
function splitQuotedCsv(line: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  for (;;) {
    if (line.charCodeAt(i) === 0x22) {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return null;
        value += line.slice(i, q);
        if (line.charCodeAt(q + 1) === 0x22) {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i === n) return fields;
      if (line.charCodeAt(i) !== 0x2c) return null;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}
