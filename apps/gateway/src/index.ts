export { startGateway, type Gateway } from './gateway';
export { IngestPipeline, type IncomingReading, type ItemRejection, type Submission, type SubmissionOutcome } from './ingest/ingest.pipeline';
export { generateDeviceSecret, hashDeviceSecret, verifyDeviceSecret } from './security/device-credentials';
export * from './ble';
export * from './hub';
