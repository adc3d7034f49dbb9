export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
}

/**
 * Exponential and bounded: initial × factor^(failures − 1) with ±20 % jitter (so devices that failed
 * together do not retry together), never above max.
 */
export function backoffDelay(failures: number, options: BackoffOptions, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const raw = options.initialMs * options.factor ** Math.min(failures - 1, 64);
  return Math.min(options.maxMs, Math.round(raw * (0.8 + 0.4 * random())));
}
