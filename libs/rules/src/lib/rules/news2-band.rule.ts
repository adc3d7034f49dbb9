import type { Reading } from '@homeward/domain';
import { type AlertCandidate, readingIdsOf } from '../model/alert-candidate.model';
import type { CarePlan } from '../model/care-plan.model';
import type { ClinicalObservation } from '../model/clinical-observation.model';
import { type HomeNews2, assembleHomeNews2 } from '../news2/home-news2.assembler';
import { ACVPU_NAMES, NEWS2_PARAMETERS, NEWS2_PARAMETER_NAMES, type News2Parameter } from '../news2/news2.model';
import { formatDate, formatVitalValue } from '../shared/vital-display';
import { news2Risk } from '../news2/news2-risk.score';
import { type HomeNews2Severity, homeNews2Severity, overrideNote, severityLoweringOverrides } from './home-severity.policy';

/**
 * Raises an alert when the home NEWS2 (see assembleHomeNews2) reaches an alerting band of the home
 * severity table (../shared/CLINICAL.md, home-severity.policy.ts): a single red parameter or 7+
 * is high, 5–6 medium, 1–4 no worklist alert (unless the plan's `alertFrom` is "low"), the same
 * on every pathway. A partial NEWS2 alerts too, since its score is a lower bound: a partial 5
 * means at least 5. The explanation says it is partial and what to assess to complete it. A
 * clinician override with `lowersSeverity` keeps its vital's red score from making the alert
 * high on its own; the alert then carries that decision and its review date.
 *
 * If the NEWS2 cannot be assembled (a care plan with scale 2 but no recorded decision, an
 * implausible value that slipped past ingest), the rule says so as a low-severity alert rather
 * than staying silent: a patient without a NEWS2 is a problem a person must fix.
 */
export function news2BandRule(
  readings: readonly Reading[],
  carePlan: CarePlan,
  now: Date,
  observations: readonly ClinicalObservation[] = [],
): AlertCandidate[] {
  const assembled = assembleHomeNews2(readings, carePlan, now, observations);
  if (!assembled.ok) {
    return [
      {
        rule: 'news2-band',
        severity: 'low',
        patientId: carePlan.patientId,
        subject: 'news2:unavailable',
        readings: [],
        readingIds: [],
        measuredAt: now,
        explanation: `NEWS2 could not be calculated: ${assembled.error.message}`,
        details: { error: assembled.error },
      },
    ];
  }
  const news2 = assembled.value;
  const score = news2.partial ? news2.partialScore : news2.score;
  const rcpRisk = news2.partial ? news2.partialRisk : news2.risk;
  const lowering = severityLoweringOverrides(carePlan).filter((o) => (NEWS2_PARAMETERS as readonly string[]).includes(o.vital));
  const home = homeNews2Severity(news2, { alertFrom: carePlan.news2.alertFrom, exempt: lowering.map((o) => o.vital as News2Parameter) });
  if (home.severity === null) return [];
  const applied = lowering.filter((o) => home.exemptedRedParameters.includes(o.vital as News2Parameter));

  // The words beside the badge must say what the badge says (issue 19): the risk is worded from
  // the home severity's trigger, not the RCP ward band, which stays in details for the record.
  const risk = home.exemptedRedParameters.length > 0 && home.redParameters.length === 0 ? news2Risk(score, false) : rcpRisk;
  const band = news2BandWords(home);
  const headline = news2.partial
    ? `Partial NEWS2 of at least ${score} (${band}) from ${news2.present.length} of ${NEWS2_PARAMETERS.length} parameters`
    : `NEWS2 ${score} (${band})`;
  const scoring = news2.present.filter((p) => (news2.parameters[p]?.score ?? 0) > 0).map((p) => `${describeParameter(news2, p)} (${points(news2.parameters[p]?.score ?? 0)})`);
  const sentences = [`${headline}: ${scoring.length > 0 ? scoring.join(', ') : 'no parameter scores above 0'}.`];
  if (news2.partial) {
    const missing = news2.missing.map((p) => NEWS2_PARAMETER_NAMES[p]).join(', ');
    sentences.push(`Not recorded in the last ${carePlan.news2.windowHours} hours: ${missing}. Assess them: the full score may be higher.`);
  }
  if (news2.parameters.spo2?.assumed === 'air') sentences.push('SpO2 was scored on scale 2 as if on air, because air or oxygen was not recorded.');
  if (home.trigger === 'single-parameter-3') {
    const red = home.redParameters.map((p) => NEWS2_PARAMETER_NAMES[p]).join(', ');
    sentences.push(
      `${capitalise(red)} scores 3 on its own: top severity at home, where there is no hourly re-observation. Contact the patient now, repeat the observations and inform the clinician responsible, who decides whether to escalate.`,
    );
  } else {
    sentences.push(`${risk.response} Monitoring: ${risk.monitoring.toLowerCase()}.`);
  }
  for (const o of applied) {
    sentences.push(
      `${capitalise(NEWS2_PARAMETER_NAMES[o.vital as News2Parameter])} scoring 3 is not top severity for this patient: ${o.decidedBy} decided so on ${formatDate(o.decidedAt)} ("${o.reason}"); ${
        o.reviewBy.getTime() < now.getTime() ? `the review due ${formatDate(o.reviewBy)} is overdue` : `review due ${formatDate(o.reviewBy)}`
      }.`,
    );
  }

  return [
    {
      rule: 'news2-band',
      severity: home.severity,
      patientId: carePlan.patientId,
      subject: 'news2',
      readings: news2.readings,
      readingIds: readingIdsOf(news2.readings),
      measuredAt: latestTime(news2) ?? now,
      explanation: sentences.join(' '),
      details: {
        score,
        partial: news2.partial,
        band: rcpRisk.band,
        trigger: rcpRisk.trigger,
        homeTrigger: home.trigger,
        redParameters: home.redParameters,
        ...(applied.length > 0 ? { overrides: applied.map((o) => overrideNote(o, now)) } : {}),
        spo2Scale: news2.spo2Scale,
        present: news2.present,
        missing: news2.missing,
        parameterScores: Object.fromEntries(news2.present.map((p) => [p, news2.parameters[p]?.score ?? 0])),
        observationIds: news2.observations.flatMap((o) => (o.id === undefined ? [] : [o.id])),
      },
    },
  ];
}

/**
 * The risk words of a NEWS2 alert's headline, from the home severity table (CLINICAL.md, "Severity
 * at home") so they always agree with the alert's severity badge: 7+ "high risk", a red parameter
 * "red parameter, high severity at home" (the RCP ward band would say low–medium), 5–6 "medium
 * risk", 1–4 "low risk" (an alert only when the plan asks for it; a red score a clinician exempted
 * counts in the aggregate, not as low–medium).
 */
export function news2BandWords(home: Pick<HomeNews2Severity, 'trigger'>): string {
  switch (home.trigger) {
    case 'aggregate-7-plus':
      return 'high risk';
    case 'single-parameter-3':
      return 'red parameter, high severity at home';
    case 'aggregate-5-6':
      return 'medium risk';
    case 'aggregate-1-4':
    case 'aggregate-0':
      return 'low risk';
  }
}

function describeParameter(news2: HomeNews2, parameter: News2Parameter): string {
  const p = news2.parameters;
  switch (parameter) {
    case 'air_or_oxygen':
      return p.air_or_oxygen?.value === 'oxygen' ? 'on supplemental oxygen' : 'on air';
    case 'consciousness':
      return p.consciousness ? `ACVPU ${p.consciousness.value} (${ACVPU_NAMES[p.consciousness.value]})` : 'consciousness';
    case 'spo2':
      return p.spo2 ? `SpO2 ${formatVitalValue('spo2', p.spo2.scoredValue)} on scale ${p.spo2.scale}` : 'SpO2';
    default: {
      const measured = p[parameter];
      const name = NEWS2_PARAMETER_NAMES[parameter];
      return measured ? `${name} ${formatVitalValue(parameter, measured.scoredValue)}` : name;
    }
  }
}

function points(score: number): string {
  return score === 1 ? '1 point' : `${score} points`;
}

function latestTime(news2: HomeNews2): Date | undefined {
  const times = [...news2.readings.map((r) => r.measuredAt.getTime()), ...news2.observations.map((o) => o.observedAt.getTime())];
  return times.length === 0 ? undefined : new Date(Math.max(...times));
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
