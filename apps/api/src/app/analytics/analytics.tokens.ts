/** "Now" for the analytics (a report's period is cut at it), injectable so tests fix it. */
export interface AnalyticsClock {
  now(): Date;
}

export const ANALYTICS_CLOCK = Symbol('homeward.analytics-clock');
