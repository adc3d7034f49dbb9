export * from './lib/builders';
export * from './lib/storage-contract';
export * from './lib/real-database';
export * from './lib/fhir-validator';
export * from './lib/device-message.fuzz';
export * from './lib/hand-computed-ward.fixture';
export * from './lib/smsc.simulator';
export * from './lib/alert-history.comparison';
