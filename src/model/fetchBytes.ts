import { LikewiseError } from '../errors';

/**
 * Fetches one file of a model (`kind` `model`) or of its catalogue
 * (`catalog`) as bytes. Rejects with `MODEL_FETCH`: `Cannot fetch <kind>
 * file <url>.` (the network failed; the cause attached) or `Cannot fetch
 * <kind> file <url>: HTTP <status>.`.
 *
 * @example const bytes = await fetchBytes(url, 'model', fetch)
 */
export async function fetchBytes(
  url: string,
  kind: string,
  fetcher: typeof fetch = globalThis.fetch,
  init?: RequestInit,
): Promise<Uint8Array> {
  let response: Response | undefined;
  try {
    response = await fetcher(url, init);
    if (response.ok) return new Uint8Array(await response.arrayBuffer());
  } catch (error) {
    throw new LikewiseError('MODEL_FETCH', `Cannot fetch ${kind} file ${url}.`, error);
  }
  throw new LikewiseError(
    'MODEL_FETCH',
    `Cannot fetch ${kind} file ${url}: HTTP ${response.status}.`,
  );
}
