/** Requests started early, handed to the first later request of the same URL. */
export interface Prefetcher {
  /** `fetch`, answered from a prefetch of the same URL when there is one (each prefetch answers once). */
  fetch: typeof fetch;
  /** Starts a GET of `url` now, unless one is waiting already; its failure is the later request's to report. */
  prefetch(url: unknown): Promise<Response> | undefined;
}

/**
 * Lets the core start the requests the widget part will make (the manifest,
 * the catalogue) in parallel with that part's own code, instead of after it.
 *
 * @param fetchOf - the injected `fetch`; default the global one, looked up at each call
 * @example const { fetch, prefetch } = createPrefetcher(); prefetch('/model/manifest.json')
 */
export function createPrefetcher(fetchOf: typeof fetch = (input, init) => fetch(input, init)) {
  const early = new Map<string, Promise<Response>>();
  const prefetcher: Prefetcher = {
    fetch: (input, init) => {
      const key = String(input);
      const got = early.get(key);
      early.delete(key);
      return got ?? fetchOf(input, init);
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
