/** An exception's message, as the rules engine logs and records it. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
