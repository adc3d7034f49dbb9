export { CoalescedWake } from './lib/coalesced-wake';
export { GroupCommitWriter, type GroupCommitOptions } from './lib/group-commit.writer';
export * from './lib/ingest.pipeline';
export * from './lib/patient-advice.advisor';
