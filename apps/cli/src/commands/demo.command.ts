import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RulesEngineService } from '@homeward/api';
import { alertKind } from '@homeward/rules';
import { type RaisedAlert, SimulatedMqttDevice, cohortMessages, evaluateDetection, generateCohort, isSeverityBand, renderDetectionReport } from '@homeward/device-simulators';
import type { CliContext, Command } from '../cli-context';
import { startDemoServices } from '../demo/demo-services';
import { seedDemoWard } from '../demo/demo-ward.seed';
import { ReplayClock } from '../demo/replay-clock';
import { steppedReplay } from '../demo/stepped-replay';
import { describeFailure } from '../describe-failure';
import { stderrLogger } from '../log';

const USAGE = 'homeward demo [--patients 12] [--days 10] [--seconds-per-day 2.5] [--seed <n>] [--report [--json]]';
const DAY_MS = 86_400_000;
/** The timer pass (silence, devices, escalations) runs every simulated hour of the replay. */
const TIMER_EVERY_MS = 3_600_000;

/**
 * Everything at once for a first look: Homeward on the embedded database (a demo data folder),
 * a seeded ward with a nurse and a clinician, and a simulated cohort replaying its last days over
 * MQTT in accelerated time, so alerts reach the worklist within a minute.
 */
export const demoCommand: Command = {
  summary: 'Run a demo: Homeward, a seeded ward (nurse and clinician accounts printed) and a simulated cohort streaming readings over MQTT.',
  usage: USAGE,
  async run(context: CliContext): Promise<number> {
    let options: { patients: number; days: number; secondsPerDay: number; seed: number | undefined; report: boolean; json: boolean };
    try {
      const { values } = parseArgs({
        args: [...context.args],
        options: { patients: { type: 'string' }, days: { type: 'string' }, 'seconds-per-day': { type: 'string' }, seed: { type: 'string' }, report: { type: 'boolean' }, json: { type: 'boolean' } },
        strict: true,
      });
      options = {
        patients: Number(values.patients ?? 12),
        days: Number(values.days ?? 10),
        secondsPerDay: Number(values['seconds-per-day'] ?? 2.5),
        seed: values.seed === undefined ? undefined : Number(values.seed),
        report: values.report ?? false,
        json: values.json ?? false,
      };
    } catch (error) {
      context.err(`${describeFailure(error)}\nUsage: ${USAGE}`);
      return 2;
    }
    const problems: string[] = [];
    if (!Number.isInteger(options.patients) || options.patients < 6 || options.patients > 500) problems.push('--patients must be a whole number from 6 (one per scripted event) to 500');
    if (!Number.isInteger(options.days) || options.days < 5 || options.days > 90) problems.push('--days must be a whole number from 5 to 90');
    if (!(options.secondsPerDay >= 0.2 && options.secondsPerDay <= 3600)) problems.push('--seconds-per-day must be from 0.2 to 3600');
    if (options.seed !== undefined && !Number.isInteger(options.seed)) problems.push('--seed must be a whole number');
    if (options.json && !options.report) problems.push('--json goes with --report');
    if (problems.length > 0) {
      context.err(`${problems.join('\n')}\nUsage: ${USAGE}`);
      return 2;
    }
    const parsed = context.config();
    if (!parsed) return 2;
    // The demo keeps its own data folder, so it never mixes with a real `homeward start`.
    // Nest's route listing would bury the credentials: the demo logs warnings only, unless asked.
    const config = {
      ...parsed,
      logLevel: context.env['HOMEWARD_LOG_LEVEL'] ? parsed.logLevel : ('warn' as const),
      database: context.env['HOMEWARD_DATA_DIR'] ? parsed.database : { ...parsed.database, dataDir: join(context.cwd, '.homeward-demo') },
    };
    const explicit = { mqtt: context.env['HOMEWARD_MQTT_PORT'] !== undefined, ws: context.env['HOMEWARD_MQTT_WS_PORT'] !== undefined, api: context.env['HOMEWARD_API_PORT'] !== undefined };
    const log = stderrLogger(context.err);
    let stepNumber = 0;
    const step = (message: string) => context.out(`[${++stepNumber}/6] ${message}`);

    let stopSignal: string | undefined;
    void context.stopRequested.then((signal) => (stopSignal = signal));

    // The replayed timeline ends now. One clock, the replay's (ReplayClock), stamps what the gateway
    // receives and is what the rules engine judges by: it stands at the timeline's start until the
    // replay steps it (SteppedReplay), and is the real clock once the replay has reached the present.
    const now = Date.now();
    const start = new Date(Math.floor(now / DAY_MS) * DAY_MS - (options.days - 1) * DAY_MS);
    const end = new Date(now);
    const replayClock = new ReplayClock(start);

    let services;
    try {
      services = await startDemoServices(config, explicit, log, step, { enabled: false, clock: replayClock }, () => replayClock.now());
    } catch (error) {
      context.err(describeFailure(error, 'The demo could not start'));
      return 1;
    }
    const devices: SimulatedMqttDevice[] = [];
    let exitCode = 0;
    try {
      const runId = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15).replace('T', '-');
      const seed = options.seed ?? Date.now() % 2_147_483_647;
      const cohort = generateCohort({ seed, size: options.patients, days: options.days });
      step(`Seeding the ward, the accounts and ${options.patients} patients with their devices (scrypt-hashed credentials)…`);
      const seeded = await seedDemoWard(
        services.storage,
        cohort.patients,
        runId,
        (done, total) => {
          if (done === total || done % 5 === 0) context.out(`      ${done}/${total} patients registered`);
        },
        start,
      );
      const mqttUrl = `mqtt://127.0.0.1:${services.mqttPort}`;
      context.out('');
      context.out('Homeward demo');
      context.out(`  Dashboard:  ${services.apiUrl}/`);
      context.out(`  API:        ${services.apiUrl}/api (docs: ${services.apiUrl}/api/docs)`);
      context.out(`  MQTT:       ${mqttUrl}`);
      context.out(`  Ward:       ${seeded.wardName}`);
      context.out(`  Nurse:      ${seeded.nurse.email}  password: ${seeded.nurse.password}`);
      context.out(`  Clinician:  ${seeded.clinician.email}  password: ${seeded.clinician.password}`);
      context.out('  (passwords are shown only now; Homeward keeps only their hashes)');
      context.out('');

      step(`Connecting ${cohort.patients.length} simulated home hubs and patient apps over MQTT with their device credentials…`);
      for (const [index, patient] of seeded.patients.entries()) {
        if (stopSignal) break;
        devices[index] = await SimulatedMqttDevice.connect(mqttUrl, { deviceId: patient.deviceId, secret: patient.secret }, { battery: 60 + ((index * 7) % 40) });
      }

      const messages = cohortMessages(cohort, { start, days: options.days, until: end });
      context.out(
        `Streaming ${messages.length} messages: the cohort's last ${options.days} days at ${options.secondsPerDay} s a day (about ${Math.round(((now - start.getTime()) / DAY_MS) * options.secondsPerDay)} s). ` +
          'Scripted: heart-failure decompensation, chest infection, non-adherence, hub outage, wrong device clock, malformed frames.',
      );
      let lastDay = -1;
      // A scripted hub outage really drops the hub's connection (its last will says offline) for the
      // outage's days, so the engine sees the hub offline; it reconnects before sending its backlog.
      const outages = cohort.patients.flatMap((p) =>
        p.events.flatMap((e) => (e.kind === 'hub-outage' ? [{ patientIndex: p.index, from: start.getTime() + e.startDay * DAY_MS, to: start.getTime() + (e.startDay + e.days) * DAY_MS }] : [])),
      );
      const engine = services.app.get(RulesEngineService);
      const result = await steppedReplay({
        clock: replayClock,
        start,
        end,
        messages,
        outages,
        devices: seeded.patients.map((p, index) => {
          const device = devices[index];
          return device ? { device, deviceId: p.deviceId, patientId: p.patientId } : undefined;
        }),
        gateway: services.gateway,
        engine,
        storage: services.storage,
        timerEveryMs: TIMER_EVERY_MS,
        speed: DAY_MS / (options.secondsPerDay * 1000),
        stopped: () => stopSignal !== undefined,
        onProgress: (progress) => {
          const day = Math.floor((progress.simulatedNow.getTime() - start.getTime()) / DAY_MS) + 1;
          if (day === lastDay) return;
          lastDay = day;
          void services.storage.alerts.openForWards([seeded.wardId]).then(
            (open) =>
              context.out(
                `  day ${Math.min(day, options.days)}/${options.days}: ${progress.sent}/${progress.total} messages, ${progress.stored} readings stored, ${progress.rejected} refused (kept with a coded reason), ${open.length} alerts open`,
              ),
            () => undefined,
          );
        },
      });
      // The replay has reached the present: from here on the real clock, and the engine runs on its own
      // (a report reads what the replay raised, so it does not start it).
      replayClock.toPresent();
      if (!stopSignal && !options.report) await engine.start();
      if (!stopSignal) {
        const open = await services.storage.alerts.openForWards([seeded.wardId]);
        step(
          `Replay done: ${result.sent} messages, ${result.stored} readings stored, ${result.duplicates} duplicates, ${result.rejected} refused; ${open.length} alerts open on the worklist. ` +
            `Backtest it: homeward backtest --ward ${seeded.wardId} --from ${start.toISOString()} --to ${result.reachedPresentAt.toISOString()} --care-plan <plan.json>. ` +
            (options.report ? 'Reading every alert of the ward as the nurse for the detection report…' : `Sign in at ${services.apiUrl}/ as the nurse. Homeward keeps running: press Ctrl-C to stop.`),
        );
      }
      if (!stopSignal && options.report) {
        // The engine judged every step before the replay moved on: what it raised is all there.
        const alerts = await readAlertsAsNurse(services.apiUrl, seeded);
        const report = evaluateDetection([{ cohort: { start, days: options.days, patients: cohort.patients }, alerts }]);
        // --json: the report is the last line of stdout, one JSON document (the progress lines come before
        // it), with the alerts behind it so several runs can be evaluated together (the demo-detection bench).
        if (options.json) context.out(JSON.stringify({ seed, patients: options.patients, days: options.days, secondsPerDay: options.secondsPerDay, start: start.toISOString(), end: result.reachedPresentAt.toISOString(), wardId: seeded.wardId, report, alerts }));
        else context.out(`\nDetection report (seed ${seed}, ${options.patients} patients, ${options.days} days, ${alerts.length} alerts raised):\n${renderDetectionReport(report)}`);
        stopSignal = 'report done';
      }
      if (!options.report) await context.stopRequested;
      else if (stopSignal !== 'report done') {
        // Stopped before the report: say so in the exit code, so a script never reads a missing report as a result.
        context.err(`${stopSignal ?? 'stop'} before the replay ended: no detection report`);
        exitCode = 1;
      }
    } catch (error) {
      context.err(describeFailure(error, 'The demo failed'));
      exitCode = 1;
    }
    log(`${stopSignal ?? 'stop'}: stopping the simulated devices, the gateway, the API and the database`);
    await Promise.all(
      devices.map((device) => {
        let timer: NodeJS.Timeout | undefined;
        const gaveUp = new Promise((resolve) => (timer = setTimeout(resolve, 3_000)));
        return Promise.race([device.close(), gaveUp])
          .catch(() => undefined)
          .finally(() => clearTimeout(timer));
      }),
    );
    await services.close();
    log('stopped cleanly');
    return exitCode;
  },
};

/**
 * Every alert of this run's ward, resolved ones included, read as the printed nurse reads them:
 * through the public API (GET /api/patients/{id}/alerts), so the report sees what a nurse would.
 * A patient kept from an earlier run (same seed) has that run's alerts too: only this ward's count.
 */
async function readAlertsAsNurse(
  apiUrl: string,
  seeded: { readonly wardId: string; readonly nurse: { readonly email: string; readonly password: string }; readonly patients: ReadonlyArray<{ readonly patientId: string }> },
): Promise<RaisedAlert[]> {
  const signIn = await fetch(`${apiUrl}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: seeded.nurse.email, password: seeded.nurse.password }) });
  if (signIn.status !== 200) throw new Error(`the demo nurse could not sign in (${signIn.status})`);
  const { token } = (await signIn.json()) as { token: string };
  const raised: RaisedAlert[] = [];
  for (const [patientIndex, patient] of seeded.patients.entries()) {
    const response = await fetch(`${apiUrl}/api/patients/${patient.patientId}/alerts`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200) throw new Error(`GET /api/patients/${patient.patientId}/alerts answered ${response.status}`);
    const alerts = (await response.json()) as Array<{ wardId: string; rule: string; severity: unknown; details: Record<string, unknown> | null; firstMeasuredAt: string }>;
    for (const alert of alerts) {
      if (alert.wardId !== seeded.wardId || !isSeverityBand(alert.severity)) continue;
      raised.push({ patientIndex, rule: alert.rule, severity: alert.severity, kind: alertKind(alert), firstMeasuredAt: new Date(alert.firstMeasuredAt) });
    }
  }
  return raised;
}
