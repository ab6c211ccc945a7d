/**
 * True when `error` says storage is full: `QuotaExceededError` (legacy code
 * 22), Firefox's `NS_ERROR_DOM_QUOTA_REACHED` (code 1014), a message about the
 * quota, or such an error wrapped (e.g. in an `AbortError`) as `inner` or
 * `cause`.
 *
 * @example isQuotaError(new DOMException('full', 'QuotaExceededError')) // true
 */
export function isQuotaError(error: unknown, depth = 0): boolean {
  const e = error as { name?: unknown; message?: unknown; inner?: unknown; cause?: unknown };
  return (
    !!e &&
    typeof e === 'object' &&
    depth < 4 &&
    (/quota/i.test(`${e.name}${e.message}`) ||
      isQuotaError(e.inner, depth + 1) ||
      isQuotaError(e.cause, depth + 1))
  );
}
