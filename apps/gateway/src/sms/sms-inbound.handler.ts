import { CARER_NOT_LINKED_TEXT, type SmsParse, parseSmsReadings, smsReplyText, whichPatientQuestion } from '@homeward/contracts';
import type { CodedError } from '@homeward/domain';
import type { IngestPipeline, PatientAdvisor } from '@homeward/ingest';
import type { Repositories, SmsSender } from '@homeward/storage';
import { PerKeyRateLimiter } from '../mqtt/per-key-rate.limiter';
import { type OutgoingText, maskNumber } from './sms-outbox';

/** How long the same text from the same number counts as the same message. */
const SAME_TEXT_WINDOW_MS = 15 * 60_000;

/** A patient's or carer's text as it came off the link. */
export interface IncomingText {
  /** The sender as E.164, or undefined when the address is no phone number. */
  readonly number: string | undefined;
  /** The address as the SMSC gave it (kept with a refusal). */
  readonly address: string;
  readonly text: string;
  readonly receivedAt: Date;
}

export interface SmsInboundHandlerOptions {
  readonly repositories: Pick<Repositories, 'sms' | 'registry' | 'audit'>;
  readonly pipeline: Pick<IngestPipeline, 'submit' | 'recordRejection'>;
  readonly advisor: Pick<PatientAdvisor, 'adviceFor'>;
  readonly send: (text: OutgoingText) => Promise<unknown>;
  readonly templates: { readonly unknownSender: string };
  readonly log: (message: string) => void;
}

/**
 * One text from a patient or carer: who sent it (a verified number only), what it says (the
 * forgiving parser), the readings stored through the ingest pipeline with source "sms", and the
 * answer: what was recorded, the ward's advice for a red value, a question for what could not be
 * read. Whatever is refused is kept with the rejected messages, byte for byte. An unknown number
 * gets a neutral answer (at most one an hour, so two auto-responders cannot loop).
 */
export class SmsInboundHandler {
  private readonly strangerReplies = new PerKeyRateLimiter(60 * 60 * 1000);

  constructor(private readonly options: SmsInboundHandlerOptions) {}

  async handle(incoming: IncomingText): Promise<void> {
    const { repositories } = this.options;
    const payload = new TextEncoder().encode(incoming.text);
    const sender = incoming.number === undefined ? undefined : await repositories.sms.findSender(incoming.number);
    if (!sender || !incoming.number) {
      await this.refuse(incoming, payload, { code: 'sms.unknown-sender', message: 'The sender is not a verified phone number of a patient or carer on the virtual ward.' });
      if (incoming.number && this.strangerReplies.allow(incoming.number, incoming.receivedAt)) {
        await this.options.send({ number: incoming.number, body: this.options.templates.unknownSender, kind: 'reply' });
      }
      return;
    }
    const target = await this.patientFor(sender, incoming.text);
    const carerId = sender.kind === 'carer' ? sender.carerId : null;
    if ('question' in target) {
      await repositories.sms.recordInbound({ number: incoming.number, body: incoming.text, carerId, receivedAt: incoming.receivedAt });
      await this.refuse(incoming, payload, target.error);
      await this.options.send({ number: incoming.number, body: target.question, kind: 'reply', carerId });
      return;
    }
    const { patientId, givenName, text } = target;
    // SMPP 3.4 gives a patient's text no id of its own. The same text from the same number within
    // a few minutes (the SMSC redelivering after a lost deliver_sm_resp, or the patient resending)
    // is taken as the same message, so its readings are stored once (keyed by message and index).
    const since = new Date(incoming.receivedAt.getTime() - SAME_TEXT_WINDOW_MS);
    const inbound =
      (await repositories.sms.recentInbound(incoming.number, incoming.text, since)) ??
      (await repositories.sms.recordInbound({ number: incoming.number, body: incoming.text, patientId, carerId, receivedAt: incoming.receivedAt }));
    const parse = parseSmsReadings(text);
    const reply = parse.help ? smsReplyText({ parse, recorded: [], notRecorded: 0 }) : await this.store(parse, { patientId, sender, payload, incoming, givenName, messageId: `sms:${inbound.id}` });
    await this.options.send({ number: incoming.number, body: reply, kind: 'reply', patientId, carerId });
  }

  private async store(parse: SmsParse, context: { patientId: string; sender: SmsSender; payload: Uint8Array; incoming: IncomingText; givenName: string; messageId: string }): Promise<string> {
    const { patientId, sender, incoming } = context;
    const readings = parse.understood.flatMap((understood) => understood.readings);
    const outcome = await this.options.pipeline.submit({
      source: 'sms',
      patientId,
      deviceId: null,
      receivedAt: incoming.receivedAt,
      deviceClockAt: null,
      messageId: context.messageId,
      readings: readings.map((reading) => ({ ...reading, deviceTime: null, status: sender.kind === 'carer' ? ['entered-by-carer'] : [] })),
      refused: parse.problems.map((problem) => ({ index: null, error: { code: problem.code, message: problem.question, details: { fragment: problem.fragment } } })),
      raw: { payload: context.payload, topic: incoming.number ?? incoming.address },
    });
    const refusedIndexes = new Set(outcome.rejected.flatMap((rejection) => (rejection.index === null ? [] : [rejection.index])));
    // What to read back: each understood item whose readings were all stored (or stored before).
    let index = 0;
    const recorded: string[] = [];
    for (const understood of parse.understood) {
      const indexes = understood.readings.map(() => index++);
      if (indexes.every((i) => !refusedIndexes.has(i))) recorded.push(understood.text);
    }
    const kept = [...outcome.stored, ...outcome.duplicates];
    const advice = await this.options.advisor.adviceFor(patientId, kept);
    if (sender.kind === 'carer' && readings.length > 0) {
      await this.options.repositories.audit.record({
        actorType: 'carer',
        actorId: sender.carerId,
        action: 'reading.create',
        subjectType: 'patient',
        subjectId: patientId,
        patientId,
        details: { proxy: `carer ${sender.carerName} for patient ${patientId}`, via: 'sms', stored: outcome.stored.length, duplicates: outcome.duplicates.length },
      });
    }
    if (refusedIndexes.size > 0) this.options.log(`SMS from ${maskNumber(incoming.number ?? '')}: ${refusedIndexes.size} reading(s) refused by ingest`);
    return smsReplyText({ parse, recorded, notRecorded: refusedIndexes.size, advice: advice?.message, ...(sender.kind === 'carer' ? { forName: context.givenName } : {}) });
  }

  /**
   * Whose readings these are: the patient's own number, or the one patient a carer is linked to;
   * a carer of several starts the text with the patient's first name.
   */
  private async patientFor(sender: SmsSender, text: string): Promise<{ patientId: string; givenName: string; text: string } | { question: string; error: CodedError }> {
    if (sender.kind === 'patient') return { patientId: sender.patientId, givenName: '', text };
    const linked = await this.options.repositories.registry.getPatients(sender.patientIds);
    const patients = sender.patientIds.flatMap((id) => linked.get(id) ?? []);
    if (patients.length === 0) return { question: CARER_NOT_LINKED_TEXT, error: { code: 'sms.carer-not-linked', message: 'The carer is not linked to any patient now.' } };
    if (patients.length === 1) {
      const [only] = patients as [(typeof patients)[number]];
      return { patientId: only.id, givenName: only.givenName, text: withoutName(text, only.givenName) };
    }
    const named = patients.filter((patient) => startsWithName(text, patient.givenName));
    if (named.length === 1) {
      const [patient] = named as [(typeof patients)[number]];
      return { patientId: patient.id, givenName: patient.givenName, text: withoutName(text, patient.givenName) };
    }
    return { question: whichPatientQuestion(patients.map((p) => p.givenName)), error: { code: 'sms.patient-ambiguous', message: 'A carer of several patients did not say whose readings these are.' } };
  }

  private async refuse(incoming: IncomingText, payload: Uint8Array, error: CodedError): Promise<void> {
    await this.options.pipeline.recordRejection({ source: 'sms', deviceId: null, topic: incoming.number ?? incoming.address, payload, error, receivedAt: incoming.receivedAt });
  }
}

function startsWithName(text: string, name: string): boolean {
  return name.trim() !== '' && text.trim().toLowerCase().startsWith(name.trim().toLowerCase()) && !/[a-z]/i.test(text.trim().charAt(name.trim().length));
}

function withoutName(text: string, name: string): string {
  return startsWithName(text, name) ? text.trim().slice(name.trim().length).replace(/^[\s:,.-]+/, '') : text;
}
