import { randomUUID } from 'node:crypto';
import { topics } from '@homeward/contracts';
import { aPatientWithDevice, connectDevice, endDeviceClients, eventually, realDatabase, startHomeward } from './gateway-fixture';
import { killLeftovers } from './homeward-process';

afterEach(() => endDeviceClients());

const workerPids = (stderr: string): number[] => [...stderr.matchAll(/rules worker 1 started \(pid (\d+)\)/g)].map((m) => Number(m[1]));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Issue 18 item 1: `homeward start` evaluates the rules in a supervised child process, not on
// the broker's and the API's event loop; a worker that dies is started again and carries on.
describe('homeward start runs the rules in a supervised rules-worker process', () => {
  afterAll(() => killLeftovers());

  it('raises an alert from a reading published over MQTT, and after the worker is SIGKILLed restarts it and raises the next one', async () => {
    const db = await realDatabase();
    try {
      const homeward = await startHomeward(db.url, { HOMEWARD_LOG_FORMAT: 'json' });
      const stderr = () => homeward.process.stderr();
      const [firstPid] = await eventually(async () => (workerPids(stderr()).length > 0 ? workerPids(stderr()) : undefined), 30_000);
      expect(firstPid).not.toBe(homeward.process.child.pid);
      // The worker's own log lines reach the parent's output.
      await eventually(async () => /Rules worker \S+ is running/.test(stderr()), 30_000);

      const ward = await db.storage.registry.createWard(`Ward ${randomUUID().slice(0, 8)}`);
      const devices = [await aPatientWithDevice(db.storage), await aPatientWithDevice(db.storage)];
      for (const d of devices) await db.storage.registry.admit({ patientId: d.patientId, wardId: ward.id, pathway: 'general' });
      const publishLowSpo2 = async (device: (typeof devices)[number]) => {
        const client = await connectDevice(homeward.mqttPort, device);
        await client.publishAsync(
          topics.readings(device.deviceId),
          JSON.stringify({ readings: [{ vital: 'spo2', value: 88, unit: '%', deviceTime: new Date(Date.now() - 60_000).toISOString() }] }),
          { qos: 1 },
        );
        client.end(true);
      };
      const thresholdAlertOf = (patientId: string) =>
        eventually(async () => (await db.storage.alerts.openForWards([ward.id])).find((a) => a.patientId === patientId && a.rule === 'vital-threshold'), 20_000);

      await publishLowSpo2(devices[0]!);
      expect(await thresholdAlertOf(devices[0]!.patientId)).toMatchObject({ latestValue: 88, state: 'open' });

      // The worker running now (on a loaded machine one may already have been restarted: say so).
      const before = workerPids(stderr());
      const victim = before.at(-1)!;
      if (before.length > 1) console.log(`rules worker restarted before the test killed it:\n${stderr().slice(-4000)}`);
      try {
        process.kill(victim, 'SIGKILL');
      } catch (error) {
        throw new Error(`rules worker ${victim} was not running (${String(error)}); homeward's stderr:\n${stderr().slice(-4000)}`);
      }
      const after = await eventually(async () => (workerPids(stderr()).length > before.length ? workerPids(stderr()) : undefined), 30_000);
      const secondPid = after.at(-1);
      expect(secondPid).not.toBe(victim);
      expect(stderr()).toMatch(new RegExp(`rules worker 1 \\(pid ${victim}\\) exited unasked \\(SIGKILL\\); restarting in \\d+ ms`));
      const metrics = await (await fetch(`http://127.0.0.1:${homeward.apiPort}/metrics`)).text();
      expect(metrics).toMatch(new RegExp(`^homeward_rules_worker_restarts_total ${after.length - 1}$`, 'm'));

      await publishLowSpo2(devices[1]!);
      expect(await thresholdAlertOf(devices[1]!.patientId)).toMatchObject({ latestValue: 88, state: 'open' });

      // Ctrl-C stops the worker with the parent, cleanly.
      homeward.process.child.kill('SIGINT');
      expect(await homeward.process.exited).toBe(0);
      expect(isAlive(secondPid!)).toBe(false);
      expect(stderr()).toMatch(/stopped cleanly/);
    } finally {
      await killLeftovers();
      await db.dispose();
    }
  }, 120_000);
});
