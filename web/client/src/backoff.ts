export interface BackoffOptions {
  /** The cap of the first delay; doubles with each failure. Default 500 ms. */
  initialMs?: number;
  /** The largest cap. Default 15 s. */
  maxMs?: number;
}

export const DEFAULT_BACKOFF = { initialMs: 500, maxMs: 15_000 } as const;

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
