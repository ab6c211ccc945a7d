/**
 * Reads the one container every file beside a model manifest uses (model
 * shards, the popularity list, catalogue shards; written by `encodeFile`):
 * a JSON array whose first line is a header object, checked before
 * anything else is parsed, so a foreign, truncated, corrupt or misplaced
 * file is refused with a message that says which:
 *
 * ```
 * [{"format":"<format>","version":V,...,"bytes":B,"checksum":"<fnv1a>"},
 * <body: the rest of the array, B bytes whose FNV-1a 32 is the checksum>]
 * ```
 */
import { LikewiseError } from '../errors';
import { fnv1a } from '../shared/fnv1a';
import { hex8 } from './modelFormat';

/** `File <name> <what>.`, an `INVALID_MODEL` error (the model's and the catalogue's files). */
export const fileError = (name: string, what: string): LikewiseError =>
  new LikewiseError('INVALID_MODEL', `File ${name} ${what}.`);

/**
 * Checks a file's header against `expect` (its `format` first, then its
 * `version` and what the manifest says), then its size and checksum, and
 * returns the body's values.
 *
 * @param name - The file's name or URL, for messages.
 * @param expect - `{ format, version, ...fields }`: what the header must hold.
 * @throws LikewiseError `INVALID_MODEL`: `File <name> ...`
 *   `is not a <format> file.`,
 *   `has <field> <value>, expected <value>.` (`version`, `id`, `shard`...),
 *   `has <got> bytes, expected <size>.` (truncated, or bytes too many),
 *   `is corrupt: checksum mismatch.`,
 *   `is corrupt: not JSON.`
 * @example const [ids, similar, together] = decodeFile(bytes, name, { format: 'likewise-model', version: 3, shard: 2 });
 */
export function decodeFile(
  bytes: Uint8Array,
  name: string,
  expect: { format: string } & Record<string, unknown>,
): unknown[] {
  const fail = (what: string) => fileError(name, what);
  const text = new TextDecoder().decode(bytes);
  let h: Record<string, unknown> | undefined;
  try {
    // The header line ends with a comma: a value closes it.
    h = JSON.parse(`${text.slice(0, text.indexOf('\n'))}0]`)[0];
  } catch {}
  if (h?.format !== expect.format) throw fail(`is not a ${expect.format} file`);
  for (const k in expect)
    if (h![k] !== expect[k]) throw fail(`has ${k} ${h![k]}, expected ${expect[k]}`);
  const body = bytes.subarray(bytes.indexOf(10) + 1);
  const got = body.length;
  const size = h!.bytes as number;
  // Cut short (truncated), or with bytes too many.
  if (got !== size) throw fail(`has ${got} bytes, expected ${size}`);
  if (hex8(fnv1a(body)) !== h!.checksum) throw fail('is corrupt: checksum mismatch');
  try {
    return JSON.parse(text).slice(1);
  } catch {
    throw fail('is corrupt: not JSON');
  }
}
