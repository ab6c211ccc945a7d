/**
 * A growing byte buffer for output built a few bytes at a time (the NDJSON
 * of `likewise recommend`): one block per thousands of lines instead of a
 * string per line, which the writer would join and encode again.
 */

const encoder = new TextEncoder();

/**
 * The writer {@link createByteWriter} returns. Hot loops take `buf` and
 * `pos` into locals after one `reserve`, write with {@link putBytes} and
 * {@link putAscii}, and store `pos` back.
 */
export interface ByteWriter {
  /** The bytes; `reserve` may replace it. */
  buf: Uint8Array;
  /** Bytes written since the last `take()`. */
  pos: number;
  /** Room for `n` more bytes after `pos`; returns `buf`. */
  reserve(n: number): Uint8Array;
  /** A string as UTF-8. */
  utf8(text: string): void;
  /** A string as a JSON string literal in UTF-8 (`JSON.stringify(text)`). */
  json(text: string): void;
  /** The bytes written since the last `take()` (a copy), and an empty writer. */
  take(): Uint8Array<ArrayBuffer>;
}

/**
 * A {@link ByteWriter} starting with `initial` bytes of room; it doubles as
 * needed.
 *
 * @example const out = createByteWriter(); out.json('a"b'); out.take(); // the bytes of "a\"b"
 */
export function createByteWriter(initial = 1 << 16): ByteWriter {
  const out: ByteWriter = {
    buf: new Uint8Array(initial),
    pos: 0,
    reserve(n) {
      if (out.pos + n > out.buf.length) {
        let size = out.buf.length * 2;
        while (size < out.pos + n) size *= 2;
        const grown = new Uint8Array(size);
        grown.set(out.buf.subarray(0, out.pos));
        out.buf = grown;
      }
      return out.buf;
    },
    utf8(text) {
      const buf = out.reserve(3 * text.length);
      let pos = out.pos;
      for (let x = 0; x < text.length; x++) {
        const c = text.charCodeAt(x);
        if (c >= 0x80) {
          out.pos += encoder.encodeInto(text, buf.subarray(out.pos)).written;
          return;
        }
        buf[pos++] = c;
      }
      out.pos = pos;
    },
    json(text) {
      const buf = out.reserve(text.length + 2);
      let pos = out.pos;
      buf[pos++] = 0x22;
      for (let x = 0; x < text.length; x++) {
        const c = text.charCodeAt(x);
        // Escapes and anything above ASCII: JSON.stringify's own rules.
        if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x7f) {
          out.utf8(JSON.stringify(text));
          return;
        }
        buf[pos++] = c;
      }
      buf[pos++] = 0x22;
      out.pos = pos;
    },
    take() {
      const bytes = out.buf.slice(0, out.pos);
      out.pos = 0;
      return bytes;
    },
  };
  return out;
}

/** Copies `src[from .. to)` to `buf` at `pos` (room reserved); returns the new `pos`. */
export function putBytes(
  buf: Uint8Array,
  pos: number,
  src: Uint8Array,
  from: number,
  to: number,
): number {
  for (let x = from; x < to; x++) buf[pos++] = src[x];
  return pos;
}

/** Writes `text`, all ASCII, to `buf` at `pos` (room reserved); returns the new `pos`. */
export function putAscii(buf: Uint8Array, pos: number, text: string): number {
  for (let x = 0; x < text.length; x++) buf[pos++] = text.charCodeAt(x);
  return pos;
}

/** `text` as UTF-8 bytes. */
export function utf8Bytes(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}
