import { parseSmsReadings } from './sms-reading.parser';
import { CARER_NOT_LINKED_TEXT, SMS_HELP_TEXT, smsReplyText, whichPatientQuestion } from './sms-reply.wording';

describe('smsReplyText', () => {
  it('confirms what was recorded', () => {
    const parse = parseSmsReadings('bp 142/88 pulse 72');
    expect(smsReplyText({ parse, recorded: parse.understood.map((u) => u.text), notRecorded: 0 })).toBe('Thank you. Recorded: BP 142/88, pulse 72.');
  });

  it('puts the ward\'s advice first, then the confirmation, then each question once', () => {
    const parse = parseSmsReadings('sats 88 72 37.9');
    expect(smsReplyText({ parse, recorded: ['oxygen 88%'], notRecorded: 0, advice: 'Call the ward now on 0113 000 0000.' })).toBe(
      'Call the ward now on 0113 000 0000. Thank you. Recorded: oxygen 88%. What was 72? What was 37.9? Please text your readings like: BP 142/88 PULSE 72, SATS 94, WEIGHT 81.2, TEMP 37.9',
    );
  });

  it('names the patient for a carer, says when something was not recorded, and answers HELP', () => {
    const parse = parseSmsReadings('weight 81.2');
    expect(smsReplyText({ parse, recorded: ['weight 81.2 kg'], notRecorded: 1, forName: 'Ada' })).toBe(
      'Thank you. Recorded for Ada: weight 81.2 kg. Some of it could not be recorded. Please check the numbers and send them again.',
    );
    expect(smsReplyText({ parse: parseSmsReadings('help'), recorded: [], notRecorded: 0 })).toBe(SMS_HELP_TEXT);
  });

  it('asks a carer of several patients whose readings they are', () => {
    expect(whichPatientQuestion(['Ada', 'Bill'])).toBe('You care for more than one person on the virtual ward (Ada, Bill). Please start your text with their first name, for example: ADA BP 142/88');
    expect(CARER_NOT_LINKED_TEXT).toMatch(/not linked/);
  });
});
