/** Injection token for the opened Storage (repositories + database info). */
export const STORAGE = Symbol('homeward.storage');

/** Injection token for the ingest pipeline (shared with the gateway when they run together). */
export const INGEST = Symbol('homeward.ingest');
