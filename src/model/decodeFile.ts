/**
 * Reads the one container every file beside a model manifest uses (model
 * shards, the popularity list, catalogue shards; written by `encodeFile`):
 * a JSON array whose first line is a header, checked before anything else
 * is parsed, so a foreign, truncated, corrupt or misplaced file is refused
 * with a message that says which:
 *
 * ```
 * ["<format>",<version>,{...,"bytes":B,"checksum":"<fnv1a>"},
 * <body: the rest of the array, B bytes whose FNV-1a 32 is the checksum>]
 * ```
 */
import { LikewiseError } from '../errors';
import { fnv1a } from '../shared/fnv1a';
import { hex8 } from './modelFormat';

/** `<kind> file <name> <what>.`, an `INVALID_MODEL` error (the model's and the catalogue's files). */
export const fileError = (kind: string, name: string, what: string): LikewiseError =>
  new LikewiseError('INVALID_MODEL', `${kind} file ${name} ${what}.`);

/**
 * Checks a file's header, size and checksum, then its header fields
 * against `expect` (what the manifest says), and returns the body's values.
 *
 * @param kind - `Model` or `Catalog`, for messages.
 * @param name - The file's name or URL, for messages.
 * @throws LikewiseError `INVALID_MODEL`: `<kind> file <name> ...`
 *   `is not a <format> file.`,
 *   `has version <v>: this likewise reads version <version>.`,
 *   `is truncated: <got> of <size> bytes.`,
 *   `is corrupt: <got> bytes, expected <size>.`,
 *   `is corrupt: checksum mismatch.`,
 *   `is corrupt: <field> <value>, the manifest says <expected>.`,
 *   `is corrupt: not JSON.`
 * @example const [ids, similar, together] = decodeFile(bytes, 'Model', name, 'likewise-model', 3, { shard: 2 });
 */
export function decodeFile(
  bytes: Uint8Array,
  kind: string,
  name: string,
  format: string,
  version: number,
  expect: Record<string, unknown>,
): unknown[] {
  const fail = (what: string) => fileError(kind, name, what);
  const text = new TextDecoder().decode(bytes);
  const nl = text.indexOf('\n');
  let head: unknown;
  try {
    // The header line ends with a comma: a value closes it.
    head = nl > 0 && JSON.parse(`${text.slice(0, nl)}0]`);
  } catch {}
  const h = (head as Record<string, unknown>[] | undefined)?.[2];
  if (!Array.isArray(head) || head[0] !== format || typeof h !== 'object' || !h)
    throw fail(`is not a ${format} file`);
  if (head[1] !== version)
    throw fail(`has version ${String(head[1])}: this likewise reads version ${version}`);
  const body = bytes.subarray(bytes.indexOf(10) + 1);
  const got = body.length;
  const size = h.bytes as number;
  if (got < size) throw fail(`is truncated: ${got} of ${size} bytes`);
  if (got > size) throw fail(`is corrupt: ${got} bytes, expected ${size}`);
  if (hex8(fnv1a(body)) !== h.checksum) throw fail('is corrupt: checksum mismatch');
  for (const k in expect)
    if (h[k] !== expect[k])
      throw fail(`is corrupt: ${k} ${String(h[k])}, the manifest says ${String(expect[k])}`);
  try {
    return JSON.parse(text).slice(3);
  } catch {
    throw fail('is corrupt: not JSON');
  }
}
