/** The engine's sense of "now", injectable so tests move time instead of waiting for it. */
export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = { now: () => new Date() };
