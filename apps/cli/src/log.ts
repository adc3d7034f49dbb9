/** Start-up and shutdown messages go to stderr, so stdout stays clean for JSON output. */
export function stderrLogger(err: (text: string) => void): (message: string) => void {
  return (message) => err(`${new Date().toISOString()} homeward: ${message}`);
}
