/**
 * The api's sense of "now": every decision that depends on time takes it (injected as CLOCK in
 * Nest, or passed as an option), so tests move time instead of waiting for it. This file is the
 * only place in apps/api/src that reads the system clock (lint: homeward/no-ambient-time).
 */
export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = { now: () => new Date() };
