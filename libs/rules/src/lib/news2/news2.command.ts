import type { CodedError } from '@homeward/domain';
import { ACVPU_LEVELS, type Acvpu, type News2Parameter, type News2Result, type News2Values, type Spo2Scale } from './news2.model';
import { scoreNews2 } from './news2.score';

/**
 * `homeward news2`: a NEWS2 from the command line, as pure argv → (exit code, JSON object).
 * The CLI app prints `output` as JSON and exits with `exitCode`; nothing here touches a stream.
 *
 *   homeward news2 --rr 16 --spo2 98 --scale 1 --air --sbp 120 --hr 70 --acvpu A --temp 37.0
 *
 * Every parameter may be left out (the result is then partial); at least one must be given.
 * `--scale` defaults to 1. `--flag value` and `--flag=value` are both accepted.
 */

/** Parameter names in the command's output, in chart order; "air-or-oxygen" stands for the one not given. */
export const NEWS2_COMMAND_NAMES: Readonly<Record<News2Parameter, string>> = {
  respiration_rate: 'rr',
  spo2: 'spo2',
  air_or_oxygen: 'air-or-oxygen',
  systolic_bp: 'sbp',
  heart_rate: 'hr',
  consciousness: 'acvpu',
  body_temperature: 'temp',
};

export type News2CommandErrorCode =
  | 'news2.unknown-flag'
  | 'news2.unexpected-argument'
  | 'news2.missing-value'
  | 'news2.unexpected-value'
  | 'news2.repeated-flag'
  | 'news2.conflicting-flags'
  | 'news2.invalid-scale'
  | 'news2.invalid-acvpu'
  | 'news2.not-a-number'
  | 'news2.implausible'
  | 'news2.no-parameters'
  | 'news2.invalid-air-or-oxygen';

export interface News2CommandParameter {
  readonly value: number | string | boolean;
  readonly score: number;
  readonly [extra: string]: unknown;
}

export interface News2CommandSuccess {
  /** The aggregate; for a partial result, the sum of the parameters given (a lower bound). */
  readonly score: number;
  readonly risk: string;
  readonly partial: boolean;
  readonly missing: readonly string[];
  readonly parameters: Readonly<Record<string, News2CommandParameter>>;
}

export interface News2CommandFailure {
  readonly error: { readonly code: News2CommandErrorCode; readonly message: string };
}

export interface News2CommandUsage {
  readonly usage: string;
}

export type News2CommandResult =
  | { readonly exitCode: 0; readonly output: News2CommandSuccess | News2CommandUsage }
  | { readonly exitCode: 1; readonly output: News2CommandFailure };

export const NEWS2_COMMAND_USAGE = [
  'Usage: homeward news2 [--rr N] [--spo2 N] [--scale 1|2] [--air | --oxygen] [--sbp N] [--hr N] [--acvpu A|C|V|P|U] [--temp N]',
  'Scores NEWS2 (RCP 2017) and prints JSON. Any parameter may be left out: the score is then partial (at least this much).',
  '--scale 2 (SpO2 target 88–92 %) is only for patients a clinician has put on it.',
].join('\n');

type ValueFlag = 'rr' | 'spo2' | 'scale' | 'sbp' | 'hr' | 'acvpu' | 'temp';
type SwitchFlag = 'air' | 'oxygen' | 'help';
const VALUE_FLAGS: readonly string[] = ['rr', 'spo2', 'scale', 'sbp', 'hr', 'acvpu', 'temp'] satisfies readonly ValueFlag[];
const SWITCH_FLAGS: readonly string[] = ['air', 'oxygen', 'help'] satisfies readonly SwitchFlag[];

const NUMERIC_FLAGS = {
  rr: 'respiration_rate',
  spo2: 'spo2',
  sbp: 'systolic_bp',
  hr: 'heart_rate',
  temp: 'body_temperature',
} as const;

/** A plain decimal, as a person types it: "16", "37.0", ".5", "-3". No exponents, hex, or "Infinity". */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/**
 * Runs `homeward news2`. `argv` is the arguments after the subcommand; a leading "news2" is
 * tolerated. Errors come back as `{ error: { code, message } }` with exit code 1.
 */
export function runNews2Command(argv: readonly string[]): News2CommandResult {
  const args = argv[0] === 'news2' ? argv.slice(1) : argv;
  const parsed = parseArgs(args);
  if (!parsed.ok) return failure(parsed.error.code, parsed.error.message);
  const { values: given, switches } = parsed;
  if (switches.has('help')) return { exitCode: 0, output: { usage: NEWS2_COMMAND_USAGE } };

  if (switches.has('air') && switches.has('oxygen')) {
    return failure('news2.conflicting-flags', 'Give --air or --oxygen, not both: a patient is either breathing air or on supplemental oxygen.');
  }

  let scale: Spo2Scale = 1;
  const scaleText = given.get('scale');
  if (scaleText !== undefined) {
    if (scaleText !== '1' && scaleText !== '2') {
      return failure('news2.invalid-scale', `--scale must be 1 or 2, not "${scaleText}". Scale 2 is only for patients a clinician has put on it.`);
    }
    scale = scaleText === '1' ? 1 : 2;
  }

  const values: { -readonly [K in keyof News2Values]: News2Values[K] } = {};
  for (const [flag, parameter] of Object.entries(NUMERIC_FLAGS)) {
    const text = given.get(flag as ValueFlag);
    if (text === undefined) continue;
    if (!DECIMAL.test(text)) return failure('news2.not-a-number', `--${flag} must be a number, not "${text}".`);
    values[parameter] = Number(text);
  }
  const acvpuText = given.get('acvpu');
  if (acvpuText !== undefined) {
    const level = acvpuText.toUpperCase();
    if (!(ACVPU_LEVELS as readonly string[]).includes(level)) {
      return failure('news2.invalid-acvpu', `--acvpu must be one of A, C, V, P or U (Alert, new Confusion, Voice, Pain, Unresponsive), not "${acvpuText}".`);
    }
    values.consciousness = level as Acvpu;
  }
  if (switches.has('air')) values.air_or_oxygen = 'air';
  if (switches.has('oxygen')) values.air_or_oxygen = 'oxygen';

  if (Object.keys(values).length === 0) {
    // A score from nothing would print "score 0, risk low", which someone could read as reassuring.
    return failure('news2.no-parameters', `Give at least one parameter to score.\n${NEWS2_COMMAND_USAGE}`);
  }

  const scored = scoreNews2(values, scale);
  if (!scored.ok) return failure(scored.error.code, commandMessage(scored.error));
  return { exitCode: 0, output: toOutput(scored.value) };
}

function toOutput(result: News2Result): News2CommandSuccess {
  const p = result.parameters;
  const parameters: Record<string, News2CommandParameter> = {};
  const measured = (value: number, scoredValue: number, score: number): News2CommandParameter =>
    value === scoredValue ? { value, score } : { value, scoredAs: scoredValue, score };
  if (p.respiration_rate) parameters['rr'] = measured(p.respiration_rate.value, p.respiration_rate.scoredValue, p.respiration_rate.score);
  if (p.spo2) {
    const { value, scoredValue, scale, score, assumed } = p.spo2;
    parameters['spo2'] = {
      value,
      ...(value === scoredValue ? {} : { scoredAs: scoredValue }),
      scale,
      ...(assumed ? { assumed } : {}),
      score,
    };
  }
  // Keyed by the flag given: "air": { value: true, score: 0 } or "oxygen": { value: true, score: 2 }.
  if (p.air_or_oxygen) parameters[p.air_or_oxygen.value] = { value: true, score: p.air_or_oxygen.score };
  if (p.systolic_bp) parameters['sbp'] = measured(p.systolic_bp.value, p.systolic_bp.scoredValue, p.systolic_bp.score);
  if (p.heart_rate) parameters['hr'] = measured(p.heart_rate.value, p.heart_rate.scoredValue, p.heart_rate.score);
  if (p.consciousness) parameters['acvpu'] = { value: p.consciousness.value, score: p.consciousness.score };
  if (p.body_temperature) parameters['temp'] = measured(p.body_temperature.value, p.body_temperature.scoredValue, p.body_temperature.score);

  const missing = (result.missing as readonly News2Parameter[]).map((name) => NEWS2_COMMAND_NAMES[name]);
  return result.partial
    ? { score: result.partialScore, risk: result.partialRisk.band, partial: true, missing, parameters }
    : { score: result.score, risk: result.risk.band, partial: false, missing, parameters };
}

/** Re-words a scoring error in the command's vocabulary (flag names rather than parameter keys). */
function commandMessage(error: CodedError): string {
  const parameter = error.details?.['parameter'];
  const flag = Object.entries(NUMERIC_FLAGS).find(([, p]) => p === parameter)?.[0];
  return flag === undefined ? error.message : `--${flag}: ${error.message}`;
}

type ParsedArgs =
  | { readonly ok: true; readonly values: ReadonlyMap<ValueFlag, string>; readonly switches: ReadonlySet<SwitchFlag> }
  | { readonly ok: false; readonly error: { readonly code: News2CommandErrorCode; readonly message: string } };

function parseArgs(args: readonly string[]): ParsedArgs {
  const values = new Map<ValueFlag, string>();
  const switches = new Set<SwitchFlag>();
  const error = (code: News2CommandErrorCode, message: string): ParsedArgs => ({ ok: false, error: { code, message } });

  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (arg === '-h') {
      switches.add('help');
      continue;
    }
    if (!arg.startsWith('--')) return error('news2.unexpected-argument', `Unexpected argument "${arg}"; every value follows its flag, as in --rr 16.`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);

    if (SWITCH_FLAGS.includes(name)) {
      const flag = name as SwitchFlag;
      if (inline !== undefined) return error('news2.unexpected-value', `--${flag} takes no value.`);
      if (switches.has(flag)) return error('news2.repeated-flag', `--${flag} is given more than once.`);
      switches.add(flag);
      continue;
    }
    if (!VALUE_FLAGS.includes(name)) {
      return error('news2.unknown-flag', `Unknown flag "${arg}". Known flags: ${[...VALUE_FLAGS, ...SWITCH_FLAGS].map((f) => `--${f}`).join(', ')}.`);
    }
    const flag = name as ValueFlag;
    if (values.has(flag)) return error('news2.repeated-flag', `--${flag} is given more than once.`);
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      // A value may be negative ("-3"), but a following flag ("--air") is not a value.
      if (next === undefined || next.startsWith('--')) return error('news2.missing-value', `--${flag} needs a value.`);
      value = next;
      i++;
    }
    if (value.trim() === '') return error('news2.missing-value', `--${flag} needs a value.`);
    values.set(flag, value.trim());
  }
  return { ok: true, values, switches };
}

function failure(code: News2CommandErrorCode, message: string): News2CommandResult {
  return { exitCode: 1, output: { error: { code, message } } };
}
