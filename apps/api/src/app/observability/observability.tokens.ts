/** The process's HomewardMetrics (one registry, shared with the gateway in `homeward start`). */
export const METRICS = Symbol('homeward.metrics');

/** Extra readiness checks (the broker link) beside the database one. */
export const READINESS_CHECKS = Symbol('homeward.readiness-checks');
