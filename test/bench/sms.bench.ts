import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SMS_TEMPLATES } from '@homeward/config';
import { startGateway } from '@homeward/gateway';
import { SmscSimulator, aValidNhsNumber, eventually } from '@homeward/testing';
import type { BenchContext } from './lib/bench-context';
import { summary } from './lib/stats';

const PHRASES = ['BP 142/88 pulse 72', 'sats 94', 'weight 81.2', 'temp 37.9', '142/88 72', 'o2 95%', 'wieght 12st 4lb', 'temp 99.5f', '72', 'bp 142'];

/**
 * Texts in over a real SMPP link (the smpp package's server as the SMSC, 127.0.0.1): patients'
 * texts with up to 20 in flight, each answered (deliver_sm_resp) only after its readings commit,
 * then the replies leaving at the configured operator rate. Reports texts handled per second,
 * the time to answer one, and the reply rate against its limit (the limiter must hold it).
 */
export async function smsBench(context: BenchContext): Promise<Record<string, unknown>> {
  const { storage } = context.db;
  const texts = context.options.quick ? 300 : 3_000;
  const patients = 50;
  const ratePerSecond = 25;
  const smsc = await SmscSimulator.start({ systemId: 'bench', password: 'bench' });
  const dataDir = await mkdtemp(join(tmpdir(), 'homeward-sms-bench-'));
  const ward = await storage.registry.createWard(`SMS bench ${Date.now()}`);
  const addresses: string[] = [];
  for (let i = 0; i < patients; i++) {
    const patient = await storage.registry.createPatient({ nhsNumber: aValidNhsNumber({ testRange: true }), givenName: 'Bench', familyName: `Sms ${i}`, dateOfBirth: '1945-01-01' });
    await storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: 'general' });
    const address = `44770095${String(i).padStart(4, '0')}`;
    await storage.sms.addNumber({ number: `+${address}`, patientId: patient.id, verifiedAt: new Date() });
    addresses.push(address);
  }
  const gateway = await startGateway({
    storage,
    config: {
      mqtt: { mode: 'off', host: '127.0.0.1', port: 0, tls: undefined, wsPort: undefined, external: undefined, maxPayloadBytes: 65536 },
      ingest: { maxClockSkewMs: 300_000 },
      ble: { enabled: false },
      database: { dataDir },
      sms: {
        smpp: { host: '127.0.0.1', port: smsc.port, systemId: 'bench', password: 'bench', systemType: '', tls: false, enquireLinkMs: 30_000, reconnect: { initialMs: 100, maxMs: 1_000, factor: 2 } },
        sender: '+447700900999',
        ratePerSecond,
        reminderHours: { from: 9, to: 20 },
        timeZone: 'Europe/London',
        templates: DEFAULT_SMS_TEMPLATES,
      },
    },
    log: () => undefined,
  });
  try {
    await eventually(() => smsc.linksBound === 1, 'the gateway to bind', 30_000);
    context.log(`sms: ${texts} texts from ${patients} patients over SMPP, replies limited to ${ratePerSecond}/s`);
    const answerMs: number[] = [];
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < texts) {
        const i = next++;
        const sent = Date.now();
        const status = await smsc.deliver(addresses[i % patients] as string, PHRASES[i % PHRASES.length] as string);
        if (status !== 0) throw new Error(`deliver_sm answered ${status}`);
        answerMs.push(Date.now() - sent);
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    const handledSeconds = (Date.now() - started) / 1000;
    await eventually(() => smsc.submitted.length >= texts, 'every reply', 600_000);
    const repliedSeconds = (Date.now() - started) / 1000;
    const replyRate = texts / repliedSeconds;
    return {
      texts,
      textsPerSecond: Math.round(texts / handledSeconds),
      answerMs: summary(answerMs),
      replyRatePerSecond: Math.round(replyRate * 10) / 10,
      replyRateLimit: ratePerSecond,
      target: `replies at no more than the ${ratePerSecond}/s limit`,
      met: replyRate <= ratePerSecond * 1.05,
    };
  } finally {
    await gateway.close();
    await smsc.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
