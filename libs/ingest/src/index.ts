export { GroupCommitWriter } from './lib/group-commit.writer';
export * from './lib/ingest.pipeline';
export * from './lib/patient-advice.advisor';
