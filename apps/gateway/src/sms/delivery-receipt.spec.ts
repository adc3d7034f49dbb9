import { readDeliveryReceipt } from './delivery-receipt';

describe('readDeliveryReceipt (SMPP 3.4 Appendix B)', () => {
  it.each([
    ['id:0123456789 sub:001 dlvrd:001 submit date:2612030930 done date:2612030931 stat:DELIVRD err:000 text:Thank you', 'delivered', 'stat:DELIVRD err:000'],
    ['id:abc sub:001 dlvrd:000 submit date:2612030930 done date:2612040930 stat:EXPIRED err:000 text:', 'expired', 'stat:EXPIRED err:000'],
    ['id:abc sub:001 dlvrd:000 stat:UNDELIV err:001', 'undeliverable', 'stat:UNDELIV err:001'],
    ['id:abc stat:REJECTD err:0x45', 'rejected', 'stat:REJECTD err:0x45'],
    ['id:abc stat:ACCEPTD', 'delivered', 'stat:ACCEPTD'],
    ['id:abc stat:weird', 'unknown', 'stat:WEIRD'],
  ])('%s → %s', (text, status, detail) => {
    expect(readDeliveryReceipt({ text })).toEqual({ smscMessageId: text.match(/id:(\S+)/)?.[1], status, detail });
  });

  it('prefers the receipted_message_id and message_state TLVs', () => {
    expect(readDeliveryReceipt({ receiptedMessageId: 'tlv-id', messageState: 2, text: 'id:text-id stat:UNDELIV' })).toEqual({ smscMessageId: 'tlv-id', status: 'delivered', detail: 'stat:UNDELIV' });
    expect(readDeliveryReceipt({ receiptedMessageId: 'tlv-id', messageState: 5, text: '' })).toEqual({ smscMessageId: 'tlv-id', status: 'undeliverable', detail: 'message_state:5' });
  });

  it('names no message: undefined', () => {
    expect(readDeliveryReceipt({ text: 'stat:DELIVRD' })).toBeUndefined();
  });
});
