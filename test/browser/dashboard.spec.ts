import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { topics } from '@homeward/contracts';
import { aPatientWithDevice, connectDevice, startHomeward } from '../e2e/gateway-fixture';
import { call, signIn } from '../e2e/api-fixture';
import { anAccount, homewardInBrowser, seriousAxeViolations, signInAs, tabTo } from './browser-fixture';

// Issue 6's browser scenario, on real processes: `homeward start` (embedded broker, rules engine,
// API serving the dashboard), a device publishing over MQTT, and Debian's headless Chromium.
describe('dashboard in a real browser', () => {
  const suite = homewardInBrowser();
  let base: string;
  let mqttPort: number;
  let device: Awaited<ReturnType<typeof aPatientWithDevice>>;
  let nurse: { id: string; email: string; password: string };
  let colleague: { id: string; email: string; password: string };
  let patientAccount: { email: string; password: string };
  const WARD_ADVICE = 'Call the Browser virtual ward on 01632 960 123 now. If you feel very unwell, call 999.';

  beforeAll(async () => {
    base = suite.base;
    mqttPort = suite.homeward.mqttPort;
    const ward = await suite.db.storage.registry.createWard(`Browser ward ${randomUUID().slice(0, 8)}`);
    device = await aPatientWithDevice(suite.db.storage);
    await suite.db.storage.registry.admit({ patientId: device.patientId, wardId: ward.id, pathway: 'general' });
    await suite.db.storage.registry.setWardPatientAdvice(ward.id, WARD_ADVICE); // what this ward's patients are told on a red reading
    nurse = await anAccount(suite.db.url, ['--role', 'nurse', '--ward', ward.id]);
    colleague = await anAccount(suite.db.url, ['--role', 'nurse', '--ward', ward.id]); // for the assign picker
    patientAccount = await anAccount(suite.db.url, ['--role', 'patient', '--patient', device.patientId]);
  });

  const shot = (page: Page, name: string) => suite.shot(page, name);
  const heading = (page: Page) => page.locator('h1').first().innerText();

  it('a nurse sees a low SpO2 alert arrive live, acknowledges and resolves it, then opens the trends', async () => {
    const page = await suite.browser.newPage();
    await signInAs(page, `${base}/`, nurse);
    expect(await heading(page)).toBe('Worklist');
    await page.evaluate(() => ((globalThis as Record<string, unknown>)['loadedOnce'] = true)); // gone if the page reloads
    await shot(page, '01-worklist-before');

    // A pulse oximeter at home publishes 88 % over MQTT (QoS 1: PUBACK after commit).
    const client = await connectDevice(mqttPort, device);
    const measured = new Date(Date.now() - 30_000).toISOString();
    await client.publishAsync(topics.readings(device.deviceId), JSON.stringify({ messageId: randomUUID(), sentAt: new Date().toISOString(), readings: [{ vital: 'spo2', value: 88, unit: '%', deviceTime: measured }] }), { qos: 1 });

    const acknowledgedAt = Date.now();
    const row = page.locator('li[data-rule="vital-threshold"]');
    await row.waitFor({ timeout: 30_000 });
    process.stdout.write(`alert on the nurse's screen ${Date.now() - acknowledgedAt} ms after the device's PUBACK\n`);
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>)['loadedOnce'])).toBe(true); // arrived without a reload
    expect(await row.innerText()).toMatch(/88/);
    const alertId = await row.getAttribute('data-alert-id');
    const waitedBefore = await row.getByTestId('waiting').innerText();
    await page.waitForTimeout(2_100);
    expect(await row.getByTestId('waiting').innerText()).not.toBe(waitedBefore); // the clock ticks
    await shot(page, '02-worklist-alert-arrived');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await row.locator('a.alert-link').click();
    await page.getByTestId('alert-state').waitFor();
    expect(await page.getByTestId('alert-state').innerText()).toBe('open');
    expect(await page.getByTestId('explanation').innerText()).toMatch(/SpO2 88 %/);
    expect(await page.locator('table').first().innerText()).toMatch(/88 %/); // the reading behind it
    await shot(page, '03-alert-detail');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Acknowledge', exact: true }).click();
    await page.locator('[data-testid="alert-state"]', { hasText: 'acknowledged' }).waitFor();
    await page.getByLabel('Ward member').selectOption(colleague.id);
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await page.locator('.timeline', { hasText: 'assigned' }).waitFor();
    expect(await page.getByTestId('assigned-to').innerText()).toBe(`nurse ${colleague.email.slice(0, 4)}`);
    await page.getByLabel('Outcome').selectOption('contacted-patient');
    await page.locator('#resolve-note').fill('Rang the patient: probe had slipped, 96 % on re-measure.');
    await page.getByRole('button', { name: 'Resolve', exact: true }).click();
    await page.locator('[data-testid="alert-state"]', { hasText: 'resolved' }).waitFor();
    expect(await page.getByTestId('alert-state').innerText()).toBe('resolved · contacted the patient');
    expect(await page.locator('.timeline').innerText()).toMatch(/acknowledged[\s\S]*assigned[\s\S]*resolved/);
    await shot(page, '04-alert-resolved');

    // Back on the worklist (in-app navigation), the resolved alert has left it.
    await page.getByRole('link', { name: '← Worklist' }).click();
    await page.locator('.stream-status.live').waitFor();
    expect(await page.locator(`li[data-alert-id="${alertId}"]`).count()).toBe(0);

    // The patient's trends: charts drawn from the readings, the threshold line, NEWS2 in RCP colours.
    await page.goto(`${base}/patients/${device.patientId}`);
    const spo2 = page.locator('[data-testid="chart-spo2"]');
    await spo2.waitFor();
    expect(Number(await spo2.getAttribute('data-points'))).toBeGreaterThan(0);
    expect(Number(await page.locator('[data-testid="chart-news2"]').getAttribute('data-points'))).toBeGreaterThan(0);
    expect(await canvasHasInk(page, '[data-testid="chart-spo2"] canvas')).toBe(true);
    expect(await page.locator('main').innerText()).toMatch(/contacted the patient/); // alert history
    await shot(page, '05-patient-day');
    await page.getByRole('button', { name: 'Week' }).click();
    await page.locator('[data-testid="chart-spo2"]').waitFor();
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document.querySelector('[aria-pressed="true"]')?.getAttribute('aria-pressed') === 'true');
    expect(Number(await page.locator('[data-testid="chart-spo2"]').getAttribute('data-points'))).toBeGreaterThan(0);
    await shot(page, '06-patient-week');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A nurse may enter a reading for the patient too: 11 stone, converted to kg by the API.
    await page.getByRole('link', { name: 'Enter a reading' }).click();
    await page.getByLabel('Weight', { exact: true }).check();
    await page.locator('#weight-body_weight').fill('11');
    await page.getByLabel('Unit of weight').selectOption('[stone_av]');
    await page.getByRole('button', { name: 'Save reading' }).click();
    await page.locator('.success', { hasText: '69.9 kg' }).waitFor();
    expect(suite.browser.problems).toEqual([]);
  });

  it('a patient enters a reading with the keyboard alone, hears the errors, and the page passes axe', async () => {
    const page = await suite.browser.context.newPage();
    page.setDefaultTimeout(20_000);
    await page.setViewportSize({ width: 390, height: 844 }); // a phone
    await page.goto(`${base}/`);
    await tabTo(page, '#email');
    await page.keyboard.type(patientAccount.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(patientAccount.password);
    await page.keyboard.press('Enter');
    await page.locator('h1', { hasText: 'Enter a reading' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Choose "Oxygen level" with the arrow keys, type an impossible 101 %, submit with Enter.
    await tabTo(page, '#what-blood-pressure');
    expect(await focusRingVisible(page)).toBe(true);
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#what-oxygen').isChecked()).toBe(true);
    await tabTo(page, '#oxygen-spo2');
    await page.keyboard.type('101');
    await page.keyboard.press('Enter');
    const summary = page.locator('.error-summary[role="alert"]');
    await summary.waitFor();
    expect(await summary.innerText()).toMatch(/reading\.implausible/); // the API's coded reason (422)
    expect(await page.locator('#oxygen-spo2').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { className: string } | null } }).document.activeElement?.className)).toContain('error-summary');
    await shot(page, '07-entry-error-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // From the summary, Tab to its link and Enter: focus lands on the field to fix.
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).toBe('oxygen-spo2');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('95');
    await page.keyboard.press('Enter');
    await page.locator('.success', { hasText: 'Saved' }).waitFor();
    expect(await page.locator('[role="status"]').innerText()).toMatch(/SpO2.*95 %/i);
    await shot(page, '08-entry-saved-phone');
    const stored = await suite.db.storage.readings.inRange(device.patientId, { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000), vitals: ['spo2'] });
    expect(stored.filter((r) => r.source === 'manual').map((r) => r.value)).toEqual([95]); // the refused 101 was not stored

    // A red reading (issue 15 item 7): SpO2 88 with pulse 112. The ward's advice comes first, in an
    // alert region that was already in the page (so it is announced) and takes focus.
    const adviceRegion = page.locator('.advice-region[role="alert"]');
    expect(await adviceRegion.count()).toBe(1);
    expect((await adviceRegion.innerText()).trim()).toBe('');
    await tabTo(page, '#oxygen-spo2');
    await page.keyboard.type('88');
    await tabTo(page, '#oxygen-heart_rate');
    await page.keyboard.type('112');
    await page.keyboard.press('Enter');
    await adviceRegion.locator('.advice').waitFor();
    expect(await adviceRegion.locator('h2').innerText()).toBe('Urgent advice');
    expect(await adviceRegion.locator('p').innerText()).toBe(WARD_ADVICE); // the ward's words only: no scores, no rule names
    expect(await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { className: string } | null } }).document.activeElement?.className)).toBe('advice');
    const saved = await page.locator('[role="status"]').innerText();
    expect(saved).toMatch(/Saved: .*88 %.*112/);
    expect(saved).not.toMatch(/thank you/i);
    await shot(page, '08b-entry-red-advice-phone');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(suite.browser.problems.filter((p) => !p.includes('422'))).toEqual([]); // the refused POST logs its 422
  });

  it('the worklist reconnects after Homeward restarts and shows an alert raised meanwhile, without a reload', async () => {
    const page = await suite.browser.context.newPage();
    page.setDefaultTimeout(20_000);
    await signInAs(page, `${base}/`, colleague);
    await page.evaluate(() => ((globalThis as Record<string, unknown>)['loadedOnce'] = true));

    suite.homeward.process.child.kill('SIGINT');
    await suite.homeward.process.exited;
    await page.locator('.stream-status.reconnecting').waitFor();
    await shot(page, '09-worklist-reconnecting');
    suite.homeward = await startHomeward(suite.db.url, {}, { mqtt: mqttPort, api: Number(new URL(base).port) });

    const client = await connectDevice(mqttPort, device);
    await client.publishAsync(topics.readings(device.deviceId), JSON.stringify({ messageId: randomUUID(), sentAt: new Date().toISOString(), readings: [{ vital: 'heart_rate', value: 135, unit: '/min', deviceTime: new Date().toISOString() }] }), { qos: 1 });
    // Backoff is 1, 2, 4, 8 s (±25 %): the stream is back within ~15 s of the restart.
    await page.locator('li[data-rule="vital-threshold"]', { hasText: '135' }).waitFor({ timeout: 40_000 });
    await page.locator('.stream-status.live').waitFor();
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>)['loadedOnce'])).toBe(true);
    await shot(page, '10-worklist-after-restart');

    // Another nurse resolves it elsewhere: it leaves this worklist live, still without a reload.
    const alertId = await page.locator('li[data-rule="vital-threshold"]', { hasText: '135' }).getAttribute('data-alert-id');
    const signedIn = (await (await signIn(base, nurse.email, nurse.password)).json()) as { token: string };
    expect((await call(base, signedIn.token, 'POST', `/api/alerts/${alertId}/resolve`, { outcome: 'false-alarm', note: 'Pulse 82 on re-measure.' })).status).toBe(200);
    await page.locator(`li[data-alert-id="${alertId}"]`).waitFor({ state: 'detached' });
    expect(await page.evaluate(() => (globalThis as Record<string, unknown>)['loadedOnce'])).toBe(true);
    await shot(page, '11-worklist-after-resolve-elsewhere');
  });
});

/** True when the canvas has non-transparent pixels: Chart.js drew something. */
function canvasHasInk(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((s) => {
    const canvas = (globalThis as unknown as { document: { querySelector(s: string): { width: number; height: number; getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } } | null } }).document.querySelector(s);
    if (!canvas || canvas.width === 0) return false;
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    for (let i = 3; i < pixels.length; i += 4) if ((pixels[i] ?? 0) > 0) return true;
    return false;
  }, selector);
}

/** The focused element shows the focus ring (outline or box-shadow), as WCAG 2.4.7 asks. */
function focusRingVisible(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const g = globalThis as unknown as { document: { activeElement: unknown }; getComputedStyle(e: unknown): { outlineStyle: string; boxShadow: string } };
    const style = g.getComputedStyle(g.document.activeElement);
    return style.outlineStyle !== 'none' || style.boxShadow !== 'none';
  });
}
