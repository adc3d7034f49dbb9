export { startGateway, type Gateway } from './gateway';
export { IngestPipeline, type IncomingReading, type ItemRejection, type Submission, type SubmissionOutcome } from '@homeward/ingest';
export { generateDeviceSecret, hashDeviceSecret, verifyDeviceSecret } from '@homeward/auth';
export * from './ble';
export * from './hub';
