import { randomUUID } from 'node:crypto';
import { buildReading, unwrap, type NhsNumber } from '@homeward/domain';
import { openScratchStorage } from '@homeward/storage';
async function main() {
  const { storage, dispose } = await openScratchStorage();
  const patient = await storage.registry.createPatient({ nhsNumber: '9434765919' as NhsNumber, givenName: 'A', familyName: 'B', dateOfBirth: '1948-02-29' });
  const dev = randomUUID();
  let minute = 0;
  const batch = (n: number) => Array.from({ length: n }, () => { const t = new Date(Date.UTC(2020, 0, 1) + (minute++) * 60_000); return unwrap(buildReading({ patientId: patient.id, deviceId: dev, vital: 'spo2', value: 96, unit: '%', deviceTime: t, measuredAt: t, receivedAt: t, source: 'mqtt' })); });
  const db = storage.db;
  const orig = db.query.bind(db);
  for (let round = 0; round < 6; round++) {
    for (const named of [true, false]) {
      (db as any).query = named ? orig : (text: string, params?: readonly unknown[]) => orig(text, params);
      const n = 1500; const size = Number(process.env.SIZE ?? 18);
      const batches = Array.from({ length: n }, () => batch(size));
      const c0 = process.cpuUsage(); const t0 = performance.now();
      for (const b of batches) await storage.readings.insertBatch(b, undefined, { notify: false });
      const ms = (performance.now() - t0) / n; const cpu = process.cpuUsage(c0);
      console.log(`${named ? 'named  ' : 'unnamed'} size ${size}: ${(ms * 1000).toFixed(0)} µs/statement wall, node ${((cpu.user + cpu.system) / n).toFixed(0)} µs/statement; load ${require('os').loadavg()[0].toFixed(2)}`);
    }
  }
  await dispose();
}
main();
