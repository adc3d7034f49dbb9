import { ByteReader } from '../byte-reader';
import type { DateTime } from '../date-time';
import { FrameError, gattError, guardDecode, type GattResult } from '../errors';
import type { ReadingSet } from '../readings';

/**
 * Record Access Control Point, 0x2A52, as the Glucose Service uses it to fetch stored records.
 * GSS "Record Access Control Point" (with the operand formats the Glucose Service defines):
 *
 *   Op Code   uint8   1 Report stored records, 2 Delete stored records, 3 Abort operation,
 *                     4 Report number of stored records, 5 Number of stored records response,
 *                     6 Response Code; 0 and 7–255 are not used by the Glucose Service
 *   Operator  uint8   0 Null, 1 All records, 2 Less than or equal to, 3 Greater than or equal to,
 *                     4 Within range of (inclusive), 5 First record, 6 Last record; 7–255 reserved
 *   Operand   varies  for operators 2–4: Filter Type (uint8: 1 Sequence Number, 2 User Facing
 *                     Time) then one (2, 3) or two (4) filter values: uint16 sequence numbers or
 *                     Date Time user facing times. Op code 5: uint16 Number of Records. Op code 6:
 *                     Request Op Code (uint8) then Response Code Value (uint8).
 *
 * The client writes requests; the meter indicates responses. Both directions decode here, so the
 * gateway and the simulated meter share one codec.
 */

export type RacpRequestOpCode = 'report-stored-records' | 'delete-stored-records' | 'report-number-of-stored-records';

export type RacpOpCode = RacpRequestOpCode | 'abort-operation' | 'number-of-stored-records-response' | 'response-code';

export type RacpResponseCode =
  | 'success'
  | 'op-code-not-supported'
  | 'invalid-operator'
  | 'operator-not-supported'
  | 'invalid-operand'
  | 'no-records-found'
  | 'abort-unsuccessful'
  | 'procedure-not-completed'
  | 'operand-not-supported'
  | 'server-busy'
  | 'reserved';

export type RacpFilter<V> = { readonly type: 'sequence-number'; readonly value: number } | { readonly type: 'user-facing-time'; readonly value: V };

export type RacpRangeFilter =
  | { readonly type: 'sequence-number'; readonly min: number; readonly max: number }
  | { readonly type: 'user-facing-time'; readonly min: DateTime; readonly max: DateTime };

/** Which records a request is about. */
export type RacpRecordSelection =
  | { readonly operator: 'all-records' | 'first-record' | 'last-record' }
  | { readonly operator: 'less-than-or-equal-to' | 'greater-than-or-equal-to'; readonly filter: RacpFilter<DateTime> }
  | { readonly operator: 'within-range-of'; readonly filter: RacpRangeFilter };

export type RecordAccessControlPoint =
  | ({ readonly opCode: RacpRequestOpCode } & RacpRecordSelection)
  | { readonly opCode: 'abort-operation' }
  | { readonly opCode: 'number-of-stored-records-response'; readonly numberOfRecords: number }
  | { readonly opCode: 'response-code'; readonly requestOpCode: RacpOpCode | 'reserved'; readonly responseCode: RacpResponseCode };

/** Op Code values. */
export const RACP_OP_CODES: ReadonlyMap<number, RacpOpCode> = new Map([
  [1, 'report-stored-records'],
  [2, 'delete-stored-records'],
  [3, 'abort-operation'],
  [4, 'report-number-of-stored-records'],
  [5, 'number-of-stored-records-response'],
  [6, 'response-code'],
]);

/** Operator values. */
export const RACP_OPERATORS: ReadonlyMap<number, RacpOperator> = new Map([
  [0, 'null'],
  [1, 'all-records'],
  [2, 'less-than-or-equal-to'],
  [3, 'greater-than-or-equal-to'],
  [4, 'within-range-of'],
  [5, 'first-record'],
  [6, 'last-record'],
]);

export type RacpOperator = 'null' | RacpRecordSelection['operator'];

/** Operand Filter Type values (Glucose Service). */
export const RACP_FILTER_TYPES: ReadonlyMap<number, RacpFilterType> = new Map([
  [1, 'sequence-number'],
  [2, 'user-facing-time'],
]);

export type RacpFilterType = 'sequence-number' | 'user-facing-time';

/** Response Code Values (0 is reserved for future use). */
export const RACP_RESPONSE_CODES: ReadonlyMap<number, RacpResponseCode> = new Map([
  [1, 'success'],
  [2, 'op-code-not-supported'],
  [3, 'invalid-operator'],
  [4, 'operator-not-supported'],
  [5, 'invalid-operand'],
  [6, 'no-records-found'],
  [7, 'abort-unsuccessful'],
  [8, 'procedure-not-completed'],
  [9, 'operand-not-supported'],
  [10, 'server-busy'],
]);

const NAME = 'Record Access Control Point';

export function decodeRecordAccessControlPoint(bytes: Uint8Array): GattResult<RecordAccessControlPoint> {
  return guardDecode(NAME, () => {
    const reader = new ByteReader(bytes, NAME);
    const opCodeValue = reader.uint8('Op Code');
    const opCode = RACP_OP_CODES.get(opCodeValue);
    if (opCode === undefined) throw reserved('Op Code', 0, opCodeValue, 'is not an op code the Glucose Service uses');
    const operatorOffset = reader.offset;
    const operatorValue = reader.uint8('Operator');
    const operator = RACP_OPERATORS.get(operatorValue);
    if (operator === undefined) throw reserved('Operator', operatorOffset, operatorValue, 'is reserved for future use');
    const requireNull = (): void => {
      if (operator !== 'null') throw reader.invalid('Operator', operatorOffset, `must be Null (0) for op code ${opCode}, not ${operatorValue}`, operatorValue);
    };
    let message: RecordAccessControlPoint;
    switch (opCode) {
      case 'report-stored-records':
      case 'delete-stored-records':
      case 'report-number-of-stored-records':
        if (operator === 'null') throw reader.invalid('Operator', operatorOffset, `must not be Null for op code ${opCode}`, operatorValue);
        message = { opCode, ...readSelection(reader, operator) };
        break;
      case 'abort-operation':
        requireNull();
        message = { opCode };
        break;
      case 'number-of-stored-records-response':
        requireNull();
        message = { opCode, numberOfRecords: reader.uint16('Operand.Number of Records') };
        break;
      case 'response-code': {
        requireNull();
        const request = reader.uint8('Operand.Request Op Code');
        const response = reader.uint8('Operand.Response Code Value');
        message = { opCode, requestOpCode: RACP_OP_CODES.get(request) ?? 'reserved', responseCode: RACP_RESPONSE_CODES.get(response) ?? 'reserved' };
        break;
      }
    }
    reader.end();
    return message;
  });
}

function readSelection(reader: ByteReader, operator: Exclude<RacpOperator, 'null'>): RacpRecordSelection {
  if (operator === 'all-records' || operator === 'first-record' || operator === 'last-record') return { operator };
  const filterOffset = reader.offset;
  const filterValue = reader.uint8('Operand.Filter Type', `Operator ${operator}`);
  const type = RACP_FILTER_TYPES.get(filterValue);
  if (type === undefined) throw reserved('Operand.Filter Type', filterOffset, filterValue, 'is reserved for future use');
  if (operator === 'within-range-of') {
    if (type === 'sequence-number') {
      return { operator, filter: { type, min: reader.uint16('Operand.Minimum Sequence Number'), max: reader.uint16('Operand.Maximum Sequence Number') } };
    }
    return { operator, filter: { type, min: reader.dateTime('Operand.Minimum User Facing Time'), max: reader.dateTime('Operand.Maximum User Facing Time') } };
  }
  if (type === 'sequence-number') return { operator, filter: { type, value: reader.uint16('Operand.Sequence Number') } };
  return { operator, filter: { type, value: reader.dateTime('Operand.User Facing Time') } };
}

function reserved(field: string, offset: number, value: number, problem: string): FrameError {
  return new FrameError(
    gattError('gatt.reserved-value', `${NAME}: ${field} ${value} (0x${value.toString(16).padStart(2, '0')}) ${problem} (offset ${offset}).`, { field, offset, value }),
  );
}

/** Control-point traffic, not a measurement. */
export function recordAccessControlPointReadings(): ReadingSet {
  return { readings: [], absent: [] };
}

/** "Report stored records greater than or equal to sequence number N": the records after the last one seen. */
export function racpReportRecordsFrom(sequenceNumber: number): RecordAccessControlPoint {
  return { opCode: 'report-stored-records', operator: 'greater-than-or-equal-to', filter: { type: 'sequence-number', value: sequenceNumber } };
}

/** "Report number of stored records greater than or equal to sequence number N". */
export function racpReportNumberOfRecordsFrom(sequenceNumber: number): RecordAccessControlPoint {
  return { opCode: 'report-number-of-stored-records', operator: 'greater-than-or-equal-to', filter: { type: 'sequence-number', value: sequenceNumber } };
}

/** "Report stored records: all records". */
export function racpReportAllRecords(): RecordAccessControlPoint {
  return { opCode: 'report-stored-records', operator: 'all-records' };
}

/** "Abort operation". */
export function racpAbort(): RecordAccessControlPoint {
  return { opCode: 'abort-operation' };
}
