/** Injection token for the opened Storage (repositories + database info). */
export const STORAGE = Symbol('homeward.storage');

/** Injection token for the ingest pipeline (shared with the gateway when they run together). */
export const INGEST = Symbol('homeward.ingest');

/** Injection token for the api's Clock (app/clock.ts): SYSTEM_CLOCK unless the app's creator passes one. */
export const CLOCK = Symbol('homeward.clock');
