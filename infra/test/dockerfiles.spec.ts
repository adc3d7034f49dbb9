import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { environmentProblems } from './homeward-environment';

const ROOT = resolve(__dirname, '..', '..');
const DOCKER = join(ROOT, 'infra', 'docker');
const dockerfiles = readdirSync(DOCKER).filter((name) => name.endsWith('.Dockerfile'));

/**
 * Homeward's rules for its images, beyond what the linter checks: several stages (build tools
 * stay out of the runtime image), images pinned to a version (never `latest` or untagged), a
 * non-root USER and a HEALTHCHECK in the final stage, `npm ci` from the lockfile without dev
 * dependencies, files copied from a stage that exists, and only HOMEWARD_* settings Homeward knows.
 */
export function projectProblems(content: string): string[] {
  const problems: string[] = [];
  const dockerfile = DockerfileParser.parse(content);
  const froms = dockerfile.getFROMs();
  if (froms.length < 2) problems.push(`multi-stage: ${froms.length} stage(s), want at least 2`);
  const stages: string[] = [];
  for (const from of froms) {
    const image = from.getImageName() ?? '';
    const tag = from.getImageTag();
    if (!stages.includes(image) && !from.getImageDigest() && (tag === undefined || tag === 'latest')) problems.push(`FROM ${from.getImage()}: pin a version tag or digest`);
    const stage = from.getBuildStage();
    if (stage) stages.push(stage);
  }
  for (const copy of dockerfile.getCOPYs()) {
    const source = copy.getFromFlag()?.getValue();
    if (source !== undefined && source !== null && !stages.includes(source)) problems.push(`COPY --from=${source}: no such stage`);
  }
  const lastFrom = froms[froms.length - 1];
  const finalStage = dockerfile.getInstructions().filter((i) => lastFrom && i.getRange().start.line > lastFrom.getRange().start.line);
  const users = finalStage.filter((i) => i.getKeyword() === 'USER').map((i) => i.getArgumentsContent()?.trim() ?? '');
  const lastUser = users[users.length - 1];
  if (lastUser === undefined || /^(root|0)(:|$)/.test(lastUser)) problems.push('final stage: needs a non-root USER');
  if (!finalStage.some((i) => i.getKeyword() === 'HEALTHCHECK')) problems.push('final stage: needs a HEALTHCHECK');
  const runs = dockerfile.getInstructions().filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '');
  if (!runs.some((run) => /npm ci\b.*--omit=dev/.test(run))) problems.push('install with `npm ci --omit=dev` (lockfile, production packages)');
  const env: Record<string, string> = {};
  for (const instruction of dockerfile.getENVs()) for (const property of instruction.getProperties()) env[property.getName()] = property.getValue() ?? '';
  problems.push(...environmentProblems(env));
  return problems;
}

describe('Dockerfiles', () => {
  it('finds the gateway and api images', () => {
    expect(dockerfiles.sort()).toEqual(['api.Dockerfile', 'gateway.Dockerfile']);
  });

  it.each(dockerfiles)('%s passes the Dockerfile linter (dockerfile-utils) with every check at its default severity', (name) => {
    const diagnostics = validate(readFileSync(join(DOCKER, name), 'utf8'));
    expect(diagnostics.map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it.each(dockerfiles)('%s follows the project rules (multi-stage, pinned images, non-root, health check)', (name) => {
    const content = readFileSync(join(DOCKER, name), 'utf8');
    expect(projectProblems(content)).toEqual([]);
    // The health check and the command it runs are files of this repository.
    expect(content).toMatch(/HEALTHCHECK .*infra\/docker\/healthcheck\.cjs/);
    expect(existsSync(join(DOCKER, 'healthcheck.cjs'))).toBe(true);
    expect(content).toMatch(/ENTRYPOINT \["node", "apps\/cli\/bin\/homeward\.cjs"\]/);
    expect(existsSync(join(ROOT, 'apps', 'cli', 'bin', 'homeward.cjs'))).toBe(true);
  });

  it('the project rules catch a single-stage root image on latest with no health check', () => {
    const bad = ['FROM node:latest', 'ENV HOMEWARD_LOG_FORMT=json', 'COPY --from=builder /app /app', 'RUN npm install', 'CMD ["node", "x.js"]'].join('\n');
    expect(projectProblems(bad)).toEqual([
      'multi-stage: 1 stage(s), want at least 2',
      'FROM node:latest: pin a version tag or digest',
      'COPY --from=builder: no such stage',
      'final stage: needs a non-root USER',
      'final stage: needs a HEALTHCHECK',
      'install with `npm ci --omit=dev` (lockfile, production packages)',
      'HOMEWARD_LOG_FORMT is not a Homeward setting',
      expect.stringMatching(/HOMEWARD_LOG_FORMT=json: is not a Homeward setting/),
    ]);
    expect(validate('FROM node:20\nHEALTHCHECK CMD true\nHEALTHCHECK CMD false\n').length).toBeGreaterThan(0);
  });
});
