import type { Alert, AlertActor } from '@homeward/domain';
import { OVERDUE_RULE, TECHNICAL_RULES } from '@homeward/rules';
import { PIPELINE_STALL_RULE } from './pipeline-stall.monitor';
import { SILENCE_RULE_IDS } from './silence-and-device.checks';

/** What the engine did, for the live alert stream and the notifier (not the record: alert_events is). */
export interface RulesEngineEvent {
  /** 'worsened': an acknowledged or escalated alert re-opened by a worse finding, published like a raise. */
  readonly type: 'raised' | 'repeated' | 'worsened' | 'escalated' | 'reminded' | 'resolved';
  readonly alert: Alert;
}

export const READINGS_CHANNEL = 'homeward_readings';
export const RULES_ENGINE_ACTOR: AlertActor = { type: 'system', id: 'rules-engine' };
/** Rules whose alerts the engine may resolve itself; NEWS2, threshold and trend alerts need a person. */
export const SELF_RESOLVING_RULES: ReadonlySet<string> = new Set([OVERDUE_RULE, PIPELINE_STALL_RULE, ...SILENCE_RULE_IDS, ...TECHNICAL_RULES]);
