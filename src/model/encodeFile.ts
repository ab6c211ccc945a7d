/**
 * Writes the container of every file beside a model manifest (format and
 * reader: `decodeFile.ts`): a header line with the body's size and
 * checksum, then the body.
 */
import { fnv1a } from '../shared/fnv1a';
import { hex8 } from './modelFormat';

/**
 * A file's body as bytes: the JSON values after its header, comma-separated,
 * and the array's closing bracket.
 */
export const bodyBytes = (values: string): Uint8Array => new TextEncoder().encode(`${values}]\n`);

/** The checksum a header gives for `body` (FNV-1a 32, 8 hex digits). */
export const checksumOf = (body: Uint8Array): string => hex8(fnv1a(body));

/**
 * The id of a model or catalogue whose files are in `format` `version` with
 * these body checksums: FNV-1a 32 of `<format>/<version>:` and the
 * checksums, so files of another version (the same bodies, another header)
 * get another folder instead of being taken for these.
 */
export const folderId = (format: string, version: number, sums: readonly string[]): string =>
  checksumOf(new TextEncoder().encode(`${format}/${version}:${sums.join('')}`));

/**
 * The file of `body` (see {@link bodyBytes}): `[{"format":"<format>","version":V,
 * ...header,"bytes":B,"checksum":"<fnv1a>"},\n` and the body.
 *
 * @param checksum - `checksumOf(body)`, when the caller has it already.
 * @example encodeFile('likewise-popularity', 3, { id }, bodyBytes('["a"],[1]'))
 */
export function encodeFile(
  format: string,
  version: number,
  header: Record<string, unknown>,
  body: Uint8Array,
  checksum: string = checksumOf(body),
): Uint8Array {
  const head = new TextEncoder().encode(
    `${JSON.stringify([{ format, version, ...header, bytes: body.length, checksum }]).slice(0, -1)},\n`,
  );
  const bytes = new Uint8Array(head.length + body.length);
  bytes.set(head);
  bytes.set(body, head.length);
  return bytes;
}
