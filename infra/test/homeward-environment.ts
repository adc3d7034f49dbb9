import { join } from 'node:path';
import { KNOWN_VARIABLES, parseConfig } from '@homeward/config';

/**
 * The problems Homeward itself would report for a container's environment: the same parseConfig
 * that `homeward start` runs, so a misspelt or invalid HOMEWARD_* setting in a deployment file
 * fails here rather than at start-up in production. Secret values are stood in for.
 */
export function environmentProblems(env: Readonly<Record<string, string>>): string[] {
  const unknown = Object.keys(env).filter((name) => name.startsWith('HOMEWARD_') && !KNOWN_VARIABLES.includes(name));
  const parsed = parseConfig(env, { cwd: '/app', joinPath: join });
  return [...unknown.map((name) => `${name} is not a Homeward setting`), ...(parsed.ok ? [] : [parsed.error.message])];
}
