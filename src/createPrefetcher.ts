/** Requests started early, handed to the first later request of the same URL. */
export interface Prefetcher {
  /** `fetch`, answered from a prefetch of the same URL when there is one (each prefetch answers once). */
  fetch: typeof fetch;
  /** Starts a GET of `url` now, unless one was started or asked for already; its failure is the later request's to report. */
  prefetch(url: unknown): Promise<Response> | undefined;
}

/**
 * Lets the core start the requests the widget part will make (the manifest,
 * the catalogue) in parallel with that part's own code, instead of after it.
 *
 * @param fetchOf - the injected `fetch`; default the global one, looked up at each call
 * @example const { fetch, prefetch } = createPrefetcher(); prefetch('/model/manifest.json')
 */
export function createPrefetcher(
  fetchOf: typeof fetch = (input, init) => fetch(input, init),
): Prefetcher {
  // A URL once asked for keeps an entry (0), so a prefetch that comes late
  // never fetches again what a reader has fetched already.
  const early = new Map<string, Promise<Response> | 0>();
  const prefetcher: Prefetcher = {
    fetch: (input, init) => {
      const key = String(input);
      const got = early.get(key);
      early.set(key, 0);
      return got || fetchOf(input, init);
    },
    prefetch(url) {
      if (typeof url === 'string' && !early.has(url)) {
        const p = fetchOf(url);
        p.catch(() => {});
        early.set(url, p);
        return p;
      }
    },
  };
  return prefetcher;
}
