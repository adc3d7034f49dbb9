export * from './lib/config';
export { EnvironmentDto, KNOWN_VARIABLES } from './lib/environment.dto';
