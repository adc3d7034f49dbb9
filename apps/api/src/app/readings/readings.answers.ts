import { arrayOf, component, number, object, oneOf, string } from '../http/answer-schemas';

/** A stored reading, as the readings page, the latest readings and an alert's detail show it. */
export const STORED_READING = component('StoredReading', {
  type: 'object',
  required: ['id', 'patientId', 'deviceId', 'vital', 'value', 'unit', 'measuredAt', 'deviceTime', 'receivedAt', 'source', 'status', 'idempotencyKey'],
  properties: {
    id: { type: 'string', description: 'Store id (a bigint, as text)' },
    patientId: { type: 'string', format: 'uuid' },
    deviceId: { type: 'string', format: 'uuid', nullable: true },
    vital: { type: 'string' },
    value: { type: 'number' },
    unit: { type: 'string', description: 'UCUM' },
    measuredAt: { type: 'string', format: 'date-time', description: 'Device clock corrected for skew' },
    deviceTime: { type: 'string', format: 'date-time', nullable: true },
    receivedAt: { type: 'string', format: 'date-time' },
    source: { type: 'string', enum: ['ble', 'mqtt', 'manual', 'fhir', 'sms'] },
    status: { type: 'array', items: { type: 'string' } },
    idempotencyKey: { type: 'string' },
  },
});

/** POST …/readings (a patient, a nurse or a carer typing readings in): what was stored, and the ward's advice on a red reading. */
export const MANUAL_READINGS_ANSWER = component(
  'ManualReadingsAnswer',
  object(
    {
      stored: { type: 'integer' },
      duplicates: { type: 'integer' },
      readings: arrayOf(object({ id: string, vital: string, value: number, unit: string, measuredAt: { type: 'string', format: 'date-time' }, status: arrayOf(string) })),
    },
    { advice: object({ level: oneOf('red'), message: string }) },
  ),
);
