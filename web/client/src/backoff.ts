export interface BackoffOptions {
  /** The cap of the first delay; doubles with each failure. Default 500 ms. */
  initialMs?: number;
  /** The largest cap. Default 5 s. */
  maxMs?: number;
}

/**
 * 500 ms doubling to 5 s. The cap is what a user waits, at worst, once the gateway is back; 5 s
 * (as Socket.IO and Phoenix use) keeps that short while 10 000 tabs of a gateway that went away
 * still spread their attempts to about 4 000 a second, which a refusing port or a restarted
 * gateway absorbs (`./eventline bench storm`). It was 15 s, which alone made a restart take over
 * 20 s to heal.
 */
export const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 5_000 } as const;

/**
 * "Full jitter" exponential backoff: a uniformly random delay below a cap that doubles per failure.
 * The randomness, not just the growth, is what keeps every tab from reconnecting in the same
 * instant after a gateway restart.
 */
export function backoffDelay(failures: number, opts: BackoffOptions = {}, random: () => number = Math.random): number {
  const initial = opts.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const max = opts.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const cap = Math.min(max, initial * 2 ** Math.min(failures, 30));
  return Math.floor(random() * cap);
}
