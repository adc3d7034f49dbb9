// Hub mode: BLE readings go upstream over MQTT from a durable on-disk queue. See hub-forwarder.ts.
export * from './durable-queue';
export * from './hub-forwarder';
export * from './hub-reading.sink';
export * from './hub';
