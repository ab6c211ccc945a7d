/**
 * Machine-readable reasons for a {@link LikewiseError}. Stable across versions:
 * match on `code`, never on the message text.
 */
export type LikewiseErrorCode =
  | 'INVALID_EVENT'
  | 'INVALID_OPTION'
  | 'INVALID_MODEL'
  | 'MODEL_FETCH'
  | 'STORAGE'
  | 'QUOTA'
  | 'CONSENT'
  | 'NETWORK'
  | 'RENDER'
  | 'INVALID_INPUT';

/**
 * The one error class likewise throws or reports. Misuse of the API throws it
 * synchronously; failures in background work are passed to `onError` instead.
 *
 * @example
 * try { lw.track({ type: 'veiw', itemId: 'a' }) } catch (e) {
 *   if (isLikewiseError(e) && e.code === 'INVALID_EVENT') console.warn(e.message)
 * }
 */
export class LikewiseError extends Error {
  override readonly name = 'LikewiseError';
  // `declare`: no class field of their own, so `cause` is an own property only when given.
  /** Machine-readable reason. */
  declare readonly code: LikewiseErrorCode;
  /** The underlying error, when this one wraps another. */
  declare readonly cause?: unknown;

  constructor(code: LikewiseErrorCode, message: string, cause?: unknown) {
    super(message);
    this.code = code;
    if (cause !== undefined) this.cause = cause;
  }
}

/** True when `value` is a {@link LikewiseError} (optionally with the given code). */
export function isLikewiseError(value: unknown, code?: LikewiseErrorCode): value is LikewiseError {
  const v = value as { name?: unknown; code?: unknown } | null;
  // A copy from another realm or bundle counts by its name.
  return typeof v === 'object' && v?.name === 'LikewiseError' && (!code || v.code === code);
}
