import { EXAMPLES, type SmsParse } from './sms-reading.parser';

export const SMS_HELP_TEXT = `${EXAMPLES}. You can send several in one text. If you feel very unwell, call 999.`;

/**
 * The answer to a patient's or carer's text, in plain words: the ward's advice first when a value
 * is in the red band (it must be read first), then what was recorded, then each question. Never
 * staff wording: no scores, rule names or thresholds.
 */
export function smsReplyText(input: {
  readonly parse: SmsParse;
  /** What was recorded, as read back ("BP 142/88"). */
  readonly recorded: readonly string[];
  /** Readings the parser read but the store refused (rare: the same checks run in both). */
  readonly notRecorded: number;
  /** The ward's words for a red-band value, or undefined. */
  readonly advice?: string | undefined;
  /** A carer's text: whose readings they were ("for Ada"). */
  readonly forName?: string | undefined;
}): string {
  if (input.parse.help) return SMS_HELP_TEXT;
  const parts: string[] = [];
  if (input.advice) parts.push(input.advice);
  if (input.recorded.length > 0) {
    parts.push(`Thank you. Recorded${input.forName ? ` for ${input.forName}` : ''}: ${input.recorded.join(', ')}.`);
  }
  if (input.notRecorded > 0) parts.push('Some of it could not be recorded. Please check the numbers and send them again.');
  // The format example is said once at the end, however many questions ended with it (SMS is short).
  const questions = [...new Set(input.parse.problems.map((problem) => problem.question))];
  const withExample = questions.filter((question) => question.endsWith(EXAMPLES));
  parts.push(...questions.map((question) => (question.endsWith(EXAMPLES) ? question.slice(0, -EXAMPLES.length).trim() : question)).filter((q) => q !== ''));
  if (withExample.length > 0) parts.push(EXAMPLES);
  return parts.join(' ');
}

/** A carer linked to several patients must say whose readings they are. */
export function whichPatientQuestion(givenNames: readonly string[]): string {
  const example = givenNames[0] ?? 'ANNE';
  return `You care for more than one person on the virtual ward (${givenNames.join(', ')}). Please start your text with their first name, for example: ${example.toUpperCase()} BP 142/88`;
}

/** A carer whose links have all ended. */
export const CARER_NOT_LINKED_TEXT = 'You are not linked to anyone on the virtual ward now, so we could not record this. Please contact the ward if this is wrong.';
