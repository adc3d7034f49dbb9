import { ByteWriter } from '../byte-writer';
import {
  RACP_FILTER_TYPES,
  RACP_OP_CODES,
  RACP_OPERATORS,
  RACP_RESPONSE_CODES,
  type RacpOperator,
  type RecordAccessControlPoint,
} from './record-access-control-point.decoder';

/** Encodes a Record Access Control Point request or response (0x2A52). */
export function encodeRecordAccessControlPoint(message: RecordAccessControlPoint): Uint8Array {
  const writer = new ByteWriter().uint8(keyOf(RACP_OP_CODES, message.opCode), 'Op Code');
  switch (message.opCode) {
    case 'report-stored-records':
    case 'delete-stored-records':
    case 'report-number-of-stored-records':
      writer.uint8(operatorCode(message.operator), 'Operator');
      if ('filter' in message) {
        const filter = message.filter;
        writer.uint8(keyOf(RACP_FILTER_TYPES, filter.type), 'Operand.Filter Type');
        if ('min' in filter) {
          if (filter.type === 'sequence-number') writer.uint16(filter.min, 'Operand.Minimum').uint16(filter.max, 'Operand.Maximum');
          else writer.dateTime(filter.min, 'Operand.Minimum').dateTime(filter.max, 'Operand.Maximum');
        } else if (filter.type === 'sequence-number') {
          writer.uint16(filter.value, 'Operand.Filter');
        } else {
          writer.dateTime(filter.value, 'Operand.Filter');
        }
      }
      break;
    case 'abort-operation':
      writer.uint8(operatorCode('null'), 'Operator');
      break;
    case 'number-of-stored-records-response':
      writer.uint8(operatorCode('null'), 'Operator').uint16(message.numberOfRecords, 'Operand.Number of Records');
      break;
    case 'response-code':
      writer
        .uint8(operatorCode('null'), 'Operator')
        .uint8(message.requestOpCode === 'reserved' ? 0 : keyOf(RACP_OP_CODES, message.requestOpCode), 'Operand.Request Op Code')
        .uint8(message.responseCode === 'reserved' ? 0 : keyOf(RACP_RESPONSE_CODES, message.responseCode), 'Operand.Response Code Value');
      break;
  }
  return writer.toBytes();
}

function operatorCode(operator: RacpOperator): number {
  return keyOf(RACP_OPERATORS, operator);
}

function keyOf<V>(map: ReadonlyMap<number, V>, value: V): number {
  for (const [key, entry] of map) if (entry === value) return key;
  throw new RangeError(`${String(value)} has no code.`);
}
