/** Injection token for the opened Storage (repositories + database info). */
export const STORAGE = Symbol('homeward.storage');
