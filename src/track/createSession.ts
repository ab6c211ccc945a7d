/** Default inactivity after which a new session starts: 30 minutes. */
export const DEFAULT_SESSION_TIMEOUT: number = 30 * 60 * 1000;

/**
 * An event this much older than the session's last one means the clock was
 * set back (a wrong clock corrected, a time zone or device change), not a
 * replayed call: it starts a new session, or one wrong page view would hold
 * every later event in its session until the clock caught up, days later.
 */
export const CLOCK_SET_BACK: number = 12 * 60 * 60 * 1000;

/** What is persisted (with the event log, written with each batch) so that a reload continues the session. */
export interface SessionState {
  /** Session id. */
  id: string;
  /** Time (ms) of the last event in the session. */
  last: number;
}

/** A visitor session that splits after `timeout` ms without events. */
export interface Session {
  /**
   * The session id for an event at `ts`: the current one, or a new one when
   * more than `timeout` ms passed since the last event. An event older than
   * the last one (a replayed queued call) stays in the current session,
   * unless it is older by more than {@link CLOCK_SET_BACK} (the clock went
   * back): then it starts a new one.
   */
  touch(ts: number): string;
  /**
   * The state to persist (replaced, never mutated, by `touch`), or `undefined`
   * before the first event; set it to `undefined` to forget the session.
   */
  state?: SessionState;
  /** Continues a persisted session (after a reload), unless one is already running. */
  restore(state: unknown): void;
}

/**
 * A fresh random id: 96 bits from `crypto.getRandomValues`, as 24 hex digits.
 * Never derived from the device (no fingerprinting).
 */
export function randomId(): string {
  let s = '';
  for (const b of crypto.getRandomValues(new Uint8Array(12))) s += (b | 256).toString(16).slice(1);
  return s;
}

/**
 * Creates an in-memory session; the caller persists {@link Session.state}
 * where storage is allowed and passes it back to `restore()` on the next page.
 *
 * @param timeout - inactivity in ms that ends a session; default 30 minutes
 * @param newId - id generator; default {@link randomId}
 * @example
 * const s = createSession(30 * 60_000)
 * const id = s.touch(Date.now())
 */
export function createSession(
  timeout: number = DEFAULT_SESSION_TIMEOUT,
  newId: () => string = randomId,
): Session {
  return {
    touch(ts) {
      const s = this.state;
      this.state =
        !s || ts - s.last > timeout || s.last - ts > CLOCK_SET_BACK
          ? { id: newId(), last: ts }
          : { id: s.id, last: Math.max(ts, s.last) };
      return this.state.id;
    },
    restore(saved) {
      // Stored state is untrusted (tampering, older versions): take it only when well-formed.
      const s = saved as SessionState | undefined;
      if (!this.state && typeof s?.id === 'string' && s.id && typeof s.last === 'number')
        this.state = s;
    },
  };
}
