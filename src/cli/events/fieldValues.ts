/**
 * Reading the values of an event line: event types, numbers and times from
 * bytes, and the limits a row must meet.
 */
import { EVENT_TYPE_CODES } from '../../engine/types';
import { MAX_TS } from '../../shared/eventSchema';
import { ROLE_TIME_MS } from './logLayout';

/** Type names by code: the engine's own codes, so a row's type is the code the model files use. */
const TYPE_NAMES = EVENT_TYPE_CODES;
const TYPE_BYTES = TYPE_NAMES.map((name) => Buffer.from(name, 'latin1'));
export const TYPE_INDEX = new Map<string, number>(TYPE_NAMES.map((name, i) => [name, i]));

/** Numeric `timestamp` values at or above this are taken as milliseconds (1e11 s is the year 5138). */
export const MS_THRESHOLD = 1e11;

/** Event type code by the first byte of its name (all eight names start differently), else -1. */
const TYPE_BY_FIRST_BYTE = new Int8Array(256).fill(-1);
for (let code = 0; code < TYPE_BYTES.length; code++) TYPE_BY_FIRST_BYTE[TYPE_BYTES[code][0]] = code;

/** Event type index of the bytes `buf[start, end)`, or -1. */
export function typeCode(buf: Uint8Array, start: number, end: number): number {
  const code = TYPE_BY_FIRST_BYTE[buf[start]];
  if (code < 0) return -1;
  const name = TYPE_BYTES[code];
  const len = end - start;
  if (name.length !== len) return -1;
  for (let i = 1; i < len; i++) if (buf[start + i] !== name[i]) return -1;
  return code;
}

/**
 * Parses a plain decimal number (optional sign and fraction) from bytes, or
 * returns NaN so the caller can try the slow path (ISO dates, exponents).
 */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return Number.NaN;
  let i = start;
  let negative = false;
  if (buf[i] === 0x2d) {
    negative = true;
    i++;
  }
  let value = 0;
  let digits = 0;
  while (i < end) {
    const d = buf[i] - 48;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
    digits++;
    i++;
  }
  if (i < end && buf[i] === 0x2e) {
    i++;
    let scale = 0.1;
    while (i < end) {
      const d = buf[i] - 48;
      if (d < 0 || d > 9) break;
      value += d * scale;
      scale *= 0.1;
      digits++;
      i++;
    }
  }
  if (i !== end || digits === 0) return Number.NaN;
  return negative ? -value : value;
}

/** Milliseconds from a textual timestamp (number or ISO date); NaN when unreadable. */
export function parseTimeText(text: string, role: number): number {
  const trimmed = text.trim();
  if (trimmed === '') return Number.NaN;
  const n = Number(trimmed);
  if (Number.isFinite(n)) return toMs(n, role);
  return Date.parse(trimmed);
}

/**
 * A time (ms) within the year 2100 either side of 1970: unreadable times
 * (NaN), microseconds by mistake and Infinity are not. One such line would
 * otherwise become the log's "now", and decay every other event's trending
 * score to nothing.
 */
export const plausibleTime = (ms: number): boolean => Math.abs(ms) < MAX_TS;

/**
 * Longest user or item id, in UTF-8 bytes: the SDK's item ids are at most
 * 256 characters, so 1 KiB holds any of them; a longer one (junk) is skipped,
 * or one id could make a shard of megabytes.
 */
export const MAX_ID_BYTES = 1024;

export function toMs(n: number, role: number): number {
  if (role === ROLE_TIME_MS || n >= MS_THRESHOLD) return n;
  return n * 1000;
}

export function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}
