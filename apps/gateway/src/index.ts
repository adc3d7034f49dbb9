export { startGateway, type Gateway } from './gateway';
export { IngestPipeline, type IncomingReading, type ItemRejection, type Submission, type SubmissionOutcome } from '@homeward/ingest';
export { generateDeviceSecret, hashDeviceSecret, verifyDeviceSecret } from '@homeward/auth';
export * from './ble';
export * from './hub';
// For in-process drivers of the handler (the fuzz bench), beside startGateway.
export { DeviceMessageHandler, type DeviceMessage, type DeviceMessageLimits, type HandledMessage } from './mqtt/device-message.handler';
export { DeviceDirectory } from './mqtt/device-directory';
export { DeviceActivityTracker } from './mqtt/device-activity.tracker';
export * from './sms';
