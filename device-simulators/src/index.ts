// @homeward/device-simulators: simulated devices for tests, demos and benchmarks. See README.md.
export * from './ble/ble-uuid';
export * from './ble/simulated-peripheral';
export * from './ble/simulated-radio';
export * from './ble/simulated-clock';
export * from './ble/simulated-health-device';
export * from './ble/health-devices';
export * from './cohort/seeded-random';
export * from './cohort/cohort.model';
export * from './cohort/cohort-generator';
export * from './cohort/cohort-messages';
export * from './cohort/detection-report';
export * from './mqtt/simulated-mqtt-device';
export * from './mqtt/cohort-streamer';
