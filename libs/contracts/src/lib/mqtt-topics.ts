/**
 * MQTT topic names, versioned. A device (or home hub) publishes and subscribes only under its
 * own `homeward/v1/devices/{deviceId}/…`; the broker enforces that.
 */
export const TOPIC_ROOT = 'homeward/v1/devices';

export const topics = {
  /** Device → Homeward: JSON readings or raw GATT frames. QoS 1: PUBACK only after commit. */
  readings: (deviceId: string) => `${TOPIC_ROOT}/${deviceId}/readings`,
  /** Device → Homeward, retained: online/offline (the last will), battery. */
  status: (deviceId: string) => `${TOPIC_ROOT}/${deviceId}/status`,
  /** Homeward → device: the outcome of each readings message (accepted, duplicates, rejected with reasons). */
  acks: (deviceId: string) => `${TOPIC_ROOT}/${deviceId}/acks`,
} as const;

export type DeviceTopicKind = keyof typeof topics;

const DEVICE_TOPIC = /^homeward\/v1\/devices\/([^/#+]+)\/(readings|status|acks)$/;

/** Splits a device topic into its device id and kind, or undefined when it is not one. */
export function parseDeviceTopic(topic: string): { deviceId: string; kind: DeviceTopicKind } | undefined {
  const match = DEVICE_TOPIC.exec(topic);
  const [, deviceId, kind] = match ?? [];
  if (deviceId === undefined || kind === undefined) return undefined;
  return { deviceId, kind: kind as DeviceTopicKind };
}

/** The subscription a gateway uses to consume every device's readings and status. */
export const ALL_DEVICE_READINGS = `${TOPIC_ROOT}/+/readings`;
export const ALL_DEVICE_STATUS = `${TOPIC_ROOT}/+/status`;
