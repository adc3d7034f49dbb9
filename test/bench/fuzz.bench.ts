import { randomUUID } from 'node:crypto';
import { parseNhsNumber } from '@homeward/domain';
import { DeviceActivityTracker, DeviceDirectory, DeviceMessageHandler, IngestPipeline } from '@homeward/gateway';
import { aValidNhsNumber, fuzzDeviceMessages } from '@homeward/testing';
import type { BenchContext } from './lib/bench-context';

/**
 * The device message fuzz at scale (`--only fuzz --cases 100000`): generated messages through the
 * real handler, ingest pipeline and PostgreSQL, every invariant checked (see fuzzDeviceMessages).
 * The target is no broken invariant; the rate is reported for information.
 */
export async function fuzzBench(context: BenchContext): Promise<Record<string, unknown>> {
  const { storage } = context.db;
  const nhs = parseNhsNumber(aValidNhsNumber({ testRange: true }));
  if (!nhs.ok) throw new Error('the builder made a bad NHS number');
  const patient = await storage.registry.createPatient({ nhsNumber: nhs.value, givenName: 'Fuzz', familyName: randomUUID(), dateOfBirth: '1950-05-05' });
  const device = await storage.registry.registerDevice({ type: 'hub', serial: randomUUID(), patientId: patient.id, credentialsHash: context.secret.hash });
  const activity = new DeviceActivityTracker(storage.registry, 60_000);
  const handler = new DeviceMessageHandler(new IngestPipeline(storage, { maxClockSkewMs: 300_000 }), new DeviceDirectory(storage.registry), storage.registry, activity, 256 * 1024);
  const cases = context.options.fuzzCases;
  const seed = context.options.fuzzSeed;
  context.log(`fuzz: ${cases.toLocaleString('en-GB')} generated device messages, seed ${seed}`);
  let logged = Date.now();
  try {
    const report = await fuzzDeviceMessages({
      handler,
      storage,
      deviceId: device.id,
      cases,
      seed,
      start: new Date('2026-01-01T00:00:00Z'),
      onProgress: (done) => {
        if (Date.now() - logged < 15_000) return;
        logged = Date.now();
        context.log(`fuzz: ${done.toLocaleString('en-GB')} of ${cases.toLocaleString('en-GB')}`);
      },
    });
    return {
      ...report,
      seed,
      casesPerSecond: Math.round(report.cases / report.seconds),
      problemCount: report.problems.length,
      problems: report.problems.slice(0, 20),
      target: 'no case throws, is unanswered or unrecorded',
      met: report.problems.length === 0,
    };
  } finally {
    await activity.close();
  }
}
