import { decodeRecordAccessControlPoint, racpAbort, racpReportAllRecords, racpReportNumberOfRecordsFrom, racpReportRecordsFrom } from './record-access-control-point.decoder';
import { encodeRecordAccessControlPoint } from './record-access-control-point.encoder';

describe('Record Access Control Point requests the gateway writes', () => {
  it('"report stored records ≥ sequence number N" fetches the records after the last one seen', () => {
    expect([...encodeRecordAccessControlPoint(racpReportRecordsFrom(0x0102))]).toEqual([
      0x01, //       Op Code: report stored records
      0x03, //       Operator: greater than or equal to
      0x01, //       Filter Type: sequence number
      0x02, 0x01, // Sequence Number 0x0102 = 258
    ]);
  });

  it('"report number of stored records ≥ N" counts them first', () => {
    expect([...encodeRecordAccessControlPoint(racpReportNumberOfRecordsFrom(7))]).toEqual([0x04, 0x03, 0x01, 0x07, 0x00]);
  });

  it('all records, and abort', () => {
    expect([...encodeRecordAccessControlPoint(racpReportAllRecords())]).toEqual([0x01, 0x01]);
    expect([...encodeRecordAccessControlPoint(racpAbort())]).toEqual([0x03, 0x00]);
  });

  it('responses decode to the number of records and the response code', () => {
    expect(decodeRecordAccessControlPoint(Uint8Array.from([0x05, 0x00, 0x2c, 0x01]))).toEqual({
      ok: true,
      value: { opCode: 'number-of-stored-records-response', numberOfRecords: 300 },
    });
    expect(decodeRecordAccessControlPoint(Uint8Array.from([0x06, 0x00, 0x04, 0x05]))).toEqual({
      ok: true,
      value: { opCode: 'response-code', requestOpCode: 'report-number-of-stored-records', responseCode: 'invalid-operand' },
    });
  });

  it('keeps an unknown response code or echoed op code as reserved rather than refusing the response', () => {
    expect(decodeRecordAccessControlPoint(Uint8Array.from([0x06, 0x00, 0x09, 0x7f]))).toEqual({
      ok: true,
      value: { opCode: 'response-code', requestOpCode: 'reserved', responseCode: 'reserved' },
    });
  });
});
