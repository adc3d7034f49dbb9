import type { AuditLogRepository } from '../repositories/audit-log.repository';
import type { SystemAlertRepository } from '../repositories/system-alert.repository';
import type { SupervisionEvent } from './embedded-postgres';

export type ProblemLogger = (level: 'warn' | 'error', message: string, context?: Record<string, unknown>) => void;

export const DATABASE_RESTARTED_ACTION = 'database.restarted';
export const DATABASE_SUPERVISOR_ACTOR = 'database-supervisor';

/**
 * Turns the embedded server's supervision events into what people see: an error line when it
 * dies, a warning per failed restart, and once it is back a warning, the caller's count (the
 * Prometheus counter) and an operations record in the audit log, which admins read in the audit
 * viewer (GET /api/audit?action=database), and a `database-restarted` system alert that every
 * member of staff sees and acknowledges (GET /api/system-alerts): not a patient's alert, but while
 * the database was down nothing was stored or checked, and a nurse must know that.
 */
export function reportSupervision(options: {
  logProblem: ProblemLogger;
  onRestart?: (() => void) | undefined;
  audit: () => AuditLogRepository | undefined;
  systemAlerts?: () => SystemAlertRepository | undefined;
  now?: () => Date;
}): (event: SupervisionEvent) => void {
  const { logProblem } = options;
  return (event) => {
    switch (event.kind) {
      case 'exited':
        logProblem('error', `embedded PostgreSQL ${event.reason}: restarting it (its last words: ${event.lastWords})`, { event: 'database.exited' });
        return;
      case 'restart-failed':
        logProblem('warn', `embedded PostgreSQL restart attempt ${event.attempt} failed (${event.error}); next in ${event.retryInMs / 1000} s`, {
          event: 'database.restart-failed',
          attempt: event.attempt,
        });
        return;
      case 'restarted': {
        const downSeconds = Math.round(event.downMs / 100) / 10;
        logProblem('warn', `embedded PostgreSQL is back (pid ${event.pid}) after ${downSeconds} s down, ${event.attempts} attempt${event.attempts === 1 ? '' : 's'}; it had ${event.reason}`, {
          event: DATABASE_RESTARTED_ACTION,
        });
        options.onRestart?.();
        const audit = options.audit();
        if (!audit) return;
        audit
          .record({
            actorType: 'system',
            actorId: DATABASE_SUPERVISOR_ACTOR,
            action: DATABASE_RESTARTED_ACTION,
            subjectType: 'database',
            subjectId: 'embedded',
            details: { reason: event.reason, downSeconds, attempts: event.attempts, pid: event.pid },
          })
          .catch((error: unknown) => logProblem('warn', `could not record the database restart in the audit log: ${error instanceof Error ? error.message : String(error)}`));
        options
          .systemAlerts?.()
          ?.report(
            {
              kind: 'database-restarted',
              source: 'embedded',
              summary:
                `Homeward's database stopped (${event.reason}) and was restarted after ${downSeconds} s. Readings sent meanwhile wait on the devices and ` +
                'arrive now; alerts are late by that long. If it keeps happening, tell the on-call engineer.',
              details: { reason: event.reason, downSeconds, attempts: event.attempts, pid: event.pid },
            },
            options.now?.() ?? new Date(),
            { type: 'system', id: DATABASE_SUPERVISOR_ACTOR },
          )
          .catch((error: unknown) => logProblem('warn', `could not raise the database-restarted system alert: ${error instanceof Error ? error.message : String(error)}`));
        return;
      }
    }
  };
}
