import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { topics } from '@homeward/contracts';
import { aPatientWithDevice, connectDevice } from '../e2e/gateway-fixture';
import { call, signIn } from '../e2e/api-fixture';
import { anAccount, homewardInBrowser, seriousAxeViolations, signInAs } from './browser-fixture';

// Issue 15, "nothing swallowed", as a nurse sees it: an SpO2 alert she acknowledged comes back on
// her worklist, live, at the higher severity and saying in words that it worsened.
describe('a worsened alert in a real browser', () => {
  const suite = homewardInBrowser();
  const publishSpo2 = (client: MqttClient, deviceId: string, value: number) =>
    client.publishAsync(
      topics.readings(deviceId),
      JSON.stringify({ messageId: randomUUID(), sentAt: new Date().toISOString(), readings: [{ vital: 'spo2', value, unit: '%', deviceTime: new Date(Date.now() - 5_000).toISOString() }] }),
      { qos: 1 },
    );

  it('an acknowledged SpO2 alert comes back open at the higher severity, labelled "Worsened from …", without a reload', async () => {
    const base = suite.base;
    const ward = await suite.db.storage.registry.createWard(`Worsening ward ${randomUUID().slice(0, 8)}`);
    const device = await aPatientWithDevice(suite.db.storage);
    await suite.db.storage.registry.admit({ patientId: device.patientId, wardId: ward.id, pathway: 'acute-respiratory-infection' });
    const nurse = await anAccount(suite.db.url, ['--role', 'nurse', '--ward', ward.id]);

    const page = await suite.browser.newPage();
    await signInAs(page, `${base}/`, nurse);
    await page.evaluate(() => ((globalThis as Record<string, unknown>)['loadedOnce'] = true));

    const client = await connectDevice(suite.homeward.mqttPort, device);
    await publishSpo2(client, device.deviceId, 93);
    const row = page.locator('li[data-rule="vital-threshold"]');
    await row.waitFor({ timeout: 30_000 });
    const alertId = await row.getAttribute('data-alert-id');
    const firstSeverity = await row.getAttribute('data-severity');
    expect(firstSeverity).not.toBe('high');
    expect(await row.getByTestId('worsened').count()).toBe(0);

    const token = ((await (await signIn(base, nurse.email, nurse.password)).json()) as { token: string }).token;
    expect((await call(base, token, 'POST', `/api/alerts/${alertId}/acknowledge`, {})).status).toBe(200);
    await page.locator(`li[data-alert-id="${alertId}"] .state`, { hasText: 'acknowledged' }).waitFor();

    await publishSpo2(client, device.deviceId, 88); // the red band
    const worse = page.locator(`li[data-alert-id="${alertId}"][data-severity="high"]`);
    await worse.waitFor({ timeout: 30_000 });
    expect(await worse.locator('.state').innerText()).toBe('open');
    expect(await worse.getByTestId('worsened').innerText()).toMatch(new RegExp(`^Worsened from ${firstSeverity === 'low-medium' ? 'low–medium' : firstSeverity}, \\d+ s ago$`));
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>)['loadedOnce'])).toBe(true);
    await suite.shot(page, '20-worklist-worsened');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await worse.locator('a.alert-link').click();
    await page.getByTestId('alert-state').waitFor();
    expect(await page.getByTestId('alert-state').innerText()).toBe('open');
    expect(await page.getByTestId('worsened').innerText()).toMatch(/^Worsened from /);
    expect(await page.locator('ol.timeline').innerText()).toMatch(/acknowledged[\s\S]*worsened/);
    await suite.shot(page, '21-alert-worsened');
    expect(suite.browser.problems).toEqual([]);
  });
});
