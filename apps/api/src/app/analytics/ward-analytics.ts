import type { AlertBurdenReport, WardOutcomesReport } from '@homeward/contracts';
import { CodedFailure } from '@homeward/domain';
import type { Storage } from '@homeward/storage';
import { alertBurdenReport } from './alert-burden.report';
import { DAY_MS } from './analytics-figures';
import { wardOutcomesReport } from './ward-outcomes.report';

/** A year and a bit: a financial year's outcomes in one report, not an unbounded scan. */
export const ANALYTICS_MAX_DAYS = 400;

/**
 * The use case behind the API endpoints and `homeward analytics`: check the period, read the
 * ward's snapshot, build the report in pure code. The period is cut at `now` (nothing later exists).
 */
export async function wardAnalytics<K extends 'alert-burden' | 'outcomes'>(
  storage: Pick<Storage, 'analytics'>,
  kind: K,
  request: { wardId: string; from: Date; to: Date; now: Date },
): Promise<K extends 'alert-burden' ? AlertBurdenReport : WardOutcomesReport> {
  const { wardId, from, now } = request;
  const to = request.to > now ? now : request.to;
  if (!(from < request.to)) throw new CodedFailure({ code: 'analytics.range-invalid', message: 'from must be before to.', details: { from: from.toISOString(), to: request.to.toISOString() } });
  if (!(from < now)) throw new CodedFailure({ code: 'analytics.range-invalid', message: 'The period starts in the future; there is nothing to report yet.', details: { from: from.toISOString() } });
  if (request.to.getTime() - from.getTime() > ANALYTICS_MAX_DAYS * DAY_MS) {
    throw new CodedFailure({ code: 'analytics.range-too-long', message: `A report covers at most ${ANALYTICS_MAX_DAYS} days.`, details: { maxDays: ANALYTICS_MAX_DAYS } });
  }
  const snapshot = await storage.analytics.wardSnapshot(wardId, from, to);
  if (!snapshot) throw new CodedFailure({ code: 'ward.not-found', message: `There is no ward ${wardId}.`, details: { wardId } });
  const period = { wardId, from, to, now };
  return (kind === 'alert-burden' ? alertBurdenReport(snapshot, period) : wardOutcomesReport(snapshot, period)) as K extends 'alert-burden' ? AlertBurdenReport : WardOutcomesReport;
}
