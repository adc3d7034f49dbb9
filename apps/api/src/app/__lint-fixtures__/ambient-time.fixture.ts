// Lint fixture (never built): each line marked below reads the machine's clock and must be refused.
export const openedAt = new Date(); // line 2
export const expiresAt = new Date(Date.now() + 3_600_000); // line 3
export const stamp = Date.now; // line 4
export const fromInput = new Date('2026-12-03T14:00:00Z'); // allowed: a date from a value
