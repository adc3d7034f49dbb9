export { startGateway, type Gateway } from './gateway';
export { IngestPipeline, type IncomingReading, type ItemRejection, type Submission, type SubmissionOutcome } from '@homeward/ingest';
export { generateDeviceSecret, hashDeviceSecret, verifyDeviceSecret } from '@homeward/auth';
export * from './ble';
export * from './hub';
// For in-process drivers of the handler (the fuzz bench), beside startGateway.
export { DeviceMessageHandler, type DeviceMessage, type DeviceMessageLimits, type HandledMessage } from './mqtt/device-message.handler';
export { DeviceDirectory } from './mqtt/device-directory';
export { DeviceActivityTracker } from './mqtt/device-activity.tracker';
// For the ingest bench's broker-only ceiling (test/bench/lib/bare-broker.ts): the broker with storage bypassed.
export { startEmbeddedBroker, type RunningBroker } from './mqtt/embedded-broker';
export { plainlyValidReadingsPayload } from './mqtt/readings-payload.fast-path';
export * from './sms';
