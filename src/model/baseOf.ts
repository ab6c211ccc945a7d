/**
 * The manifest's directory (query and fragment dropped), for its relative
 * file names: where the loader, and the core's early requests, find them.
 *
 * @example baseOf('https://cdn.example/m/manifest.json?v=2') // 'https://cdn.example/m/'
 */
export function baseOf(url: string): string {
  const q = url.search(/[?#]/);
  const path = q < 0 ? url : url.slice(0, q);
  return path.slice(0, path.lastIndexOf('/') + 1);
}
