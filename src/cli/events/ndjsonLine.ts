/**
 * The NDJSON line parser of the event reader: flat objects scanned in
 * place, anything else (escapes, purchase lines, arrays) through
 * `JSON.parse`.
 */
import { FNV_OFFSET, FNV_PRIME } from '../../shared/fnv1a';
import { fnv1a } from './byteInterner';
import { isSpace, parseNumber, parseTimeText, TYPE_INDEX, toMs, typeCode } from './fieldValues';
import { type LogBuilder, SKIP_JSON } from './logBuilder';
import {
  keyRole,
  ROLE_BY_NAME,
  ROLE_ITEM,
  ROLE_NONE,
  ROLE_SESSION,
  ROLE_TIME_MS,
  ROLE_TIME_S,
  ROLE_TYPE,
  ROLE_USER,
} from './logLayout';

/**
 * One NDJSON line. Flat objects whose strings have no escapes are scanned
 * in place; anything else (escapes, `items` arrays, arrays of events) goes
 * through `JSON.parse`.
 */
export function ndjsonLine(b: LogBuilder, buf: Uint8Array, start: number, end: number): void {
  let i = start;
  while (i < end && isSpace(buf[i])) i++;
  while (end > i && isSpace(buf[end - 1])) end--;
  if (i === end) return;
  if (buf[i] !== 0x7b /* { */) {
    ndjsonSlow(b, buf, start, end);
    return;
  }
  i++;
  let userS = -1;
  let userE = -1;
  let userH = 0;
  let userRank = 0; // 2: a user key; 1: a session key
  let itemS = -1;
  let itemE = -1;
  let itemH = 0;
  let type = -1;
  let time = Number.NaN;
  for (;;) {
    while (i < end && isSpace(buf[i])) i++;
    if (buf[i] === 0x7d /* } */) break;
    if (buf[i] !== 0x22) {
      ndjsonSlow(b, buf, start, end);
      return;
    }
    const keyS = ++i;
    while (i < end && buf[i] !== 0x22 && buf[i] !== 0x5c) i++;
    if (i >= end || buf[i] !== 0x22) {
      ndjsonSlow(b, buf, start, end);
      return;
    }
    const role = keyRole(buf, keyS, i);
    // Keys match in any case, as on the slow path: an unknown key with capitals goes there.
    if (role === ROLE_NONE && hasUpper(buf, keyS, i)) {
      ndjsonSlow(b, buf, start, end);
      return;
    }
    i++;
    while (i < end && isSpace(buf[i])) i++;
    if (buf[i] !== 0x3a /* : */) {
      ndjsonSlow(b, buf, start, end);
      return;
    }
    i++;
    while (i < end && isSpace(buf[i])) i++;
    const c = buf[i];
    if (c === 0x22) {
      const valS = ++i;
      let h = FNV_OFFSET;
      while (i < end) {
        const b = buf[i];
        if (b === 0x22 || b === 0x5c) break;
        h = Math.imul(h ^ b, FNV_PRIME);
        i++;
      }
      if (i >= end || buf[i] !== 0x22) {
        ndjsonSlow(b, buf, start, end);
        return;
      }
      const valE = i;
      i++;
      if (role === ROLE_USER || (role === ROLE_SESSION && userRank < 2)) {
        userS = valS;
        userE = valE;
        userH = h;
        userRank = role === ROLE_USER ? 2 : 1;
      } else if (role === ROLE_ITEM) {
        itemS = valS;
        itemE = valE;
        itemH = h;
      } else if (role === ROLE_TYPE) {
        type = valE > valS ? typeCode(buf, valS, valE) : -1;
        // An identify link (visitor to customer) in a collected log: no interaction.
        if (type < 0 && isIdentify(buf, valS, valE)) return;
      } else if (role === ROLE_TIME_S || role === ROLE_TIME_MS) {
        time = parseTimeText(
          Buffer.from(buf.buffer, buf.byteOffset + valS, valE - valS).toString('utf8'),
          role,
        );
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      // Nested values (purchase lines) need a real JSON parser.
      ndjsonSlow(b, buf, start, end);
      return;
    } else {
      const valS = i;
      while (i < end && buf[i] !== 0x2c && buf[i] !== 0x7d && !isSpace(buf[i])) i++;
      if (role === ROLE_TIME_S || role === ROLE_TIME_MS) {
        const n = parseNumber(buf, valS, i);
        time = Number.isNaN(n) ? Number.NaN : toMs(n, role);
      } else if (role === ROLE_USER || role === ROLE_SESSION || role === ROLE_ITEM) {
        // Numeric ids: intern their text like a string, when it is what
        // JSON.parse and String() give back (a plain integer). Anything else
        // (1e3, 1.50, null, true, a bare word) takes the slow path, which
        // reads numbers as JSON does and refuses the rest.
        if (!isPlainInteger(buf, valS, i)) {
          ndjsonSlow(b, buf, start, end);
          return;
        }
        const h = fnv1a(buf, valS, i);
        if (role === ROLE_ITEM) {
          itemS = valS;
          itemE = i;
          itemH = h;
        } else if (role === ROLE_USER || userRank < 2) {
          userS = valS;
          userE = i;
          userH = h;
          userRank = role === ROLE_USER ? 2 : 1;
        }
      }
    }
    while (i < end && isSpace(buf[i])) i++;
    if (buf[i] === 0x2c) {
      i++;
      continue;
    }
    if (buf[i] === 0x7d) break;
    ndjsonSlow(b, buf, start, end);
    return;
  }
  // Anything after the closing brace is not JSON: the slow path refuses it.
  if (i !== end - 1) {
    ndjsonSlow(b, buf, start, end);
    return;
  }
  b.row(buf, userS, userE, userH, itemS, itemE, itemH, type, time);
}

function ndjsonSlow(b: LogBuilder, buf: Uint8Array, start: number, end: number): void {
  let value: unknown;
  try {
    value = JSON.parse(
      Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('utf8'),
    );
  } catch {
    b.skip(SKIP_JSON);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) jsonEvent(b, v);
  } else {
    jsonEvent(b, value);
  }
}

/** One parsed event object: the plain log fields or a LikewiseEvent. */
function jsonEvent(b: LogBuilder, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    b.skip(SKIP_JSON);
    return;
  }
  const o = value as Record<string, unknown>;
  let user = '';
  let item = '';
  let typeName: unknown;
  let time = Number.NaN;
  let userRank = 0;
  let lines: unknown;
  for (const key of Object.keys(o)) {
    const role = ROLE_BY_NAME.get(key.toLowerCase()) ?? ROLE_NONE;
    const v = o[key];
    if (role === ROLE_USER || (role === ROLE_SESSION && userRank < 2)) {
      if (typeof v === 'string' || typeof v === 'number') {
        user = String(v);
        userRank = role === ROLE_USER ? 2 : 1;
      }
    } else if (role === ROLE_ITEM) {
      if (typeof v === 'string' || typeof v === 'number') item = String(v);
    } else if (role === ROLE_TYPE) {
      typeName = v;
    } else if (role === ROLE_TIME_S || role === ROLE_TIME_MS) {
      if (typeof v === 'number') time = toMs(v, role);
      else if (typeof v === 'string') time = parseTimeText(v, role);
    } else if (key === 'items') {
      lines = v;
    }
  }
  if (typeName === 'identify') return;
  const type = typeof typeName === 'string' ? (TYPE_INDEX.get(typeName) ?? -1) : -1;
  if (item === '' && Array.isArray(lines) && lines.length > 0) {
    // A multi-item purchase: one row per line, in order.
    for (const line of lines) {
      const id = (line as { itemId?: unknown } | null)?.itemId;
      b.pushStrings(user, typeof id === 'string' ? id : '', type, time);
    }
    return;
  }
  b.pushStrings(user, item, type, time);
}

/** Has `buf[start, end)` an ASCII capital? */
function hasUpper(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] >= 0x41 && buf[i] <= 0x5a) return true;
  return false;
}

/**
 * Is `buf[start, end)` an integer as `String(JSON.parse(text))` writes it:
 * digits, no leading zero, at most 15 of them (so it is exact as a double)?
 */
function isPlainInteger(buf: Uint8Array, start: number, end: number): boolean {
  const len = end - start;
  if (len < 1 || len > 15 || (len > 1 && buf[start] === 0x30)) return false;
  for (let i = start; i < end; i++) if (buf[i] < 0x30 || buf[i] > 0x39) return false;
  return true;
}

const IDENTIFY = Buffer.from('identify', 'latin1');

/** Is `buf[start, end)` the type of an identify link, which the collector stores beside events? */
function isIdentify(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start !== IDENTIFY.length) return false;
  for (let i = 0; i < IDENTIFY.length; i++) if (buf[start + i] !== IDENTIFY[i]) return false;
  return true;
}
