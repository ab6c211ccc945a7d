/**
 * True when `error` says storage is full: `QuotaExceededError`, Firefox's
 * `NS_ERROR_DOM_QUOTA_REACHED`, a message about the quota, or such an error
 * wrapped (e.g. in an `AbortError`) as `inner` or `cause`.
 *
 * @example isQuotaError(new DOMException('full', 'QuotaExceededError')) // true
 */
export const isQuotaError = (error: unknown): boolean => {
  // biome-ignore lint/suspicious/noExplicitAny: duck-typed error shapes of every engine
  const e = error as any;
  return [e, e?.inner, e?.cause].some((x) => /quota/i.test(x?.name + x?.message));
};
