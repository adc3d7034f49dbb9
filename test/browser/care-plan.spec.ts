import { randomUUID } from 'node:crypto';
import { topics } from '@homeward/contracts';
import { aPatientWithDevice, connectDevice, endDeviceClients, realDatabase, startHomeward } from '../e2e/gateway-fixture';
import { killLeftovers } from '../e2e/homeward-process';
import { type Browser, anAccount, launchChromium, screenshot, seriousAxeViolations } from './browser-fixture';

// Issue 19: a clinician tunes a COPD patient's plan in labelled fields (SpO2 scale 2 on
// confirmation, a personal SpO2 limit, a reason and a review date); the next reading alerts by it.
describe('the care-plan editor in a real browser', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let homeward: Awaited<ReturnType<typeof startHomeward>>;
  let browser: Browser;
  const shots: string[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    db = await realDatabase();
    homeward = await startHomeward(db.url);
  });
  afterAll(async () => {
    endDeviceClients();
    await browser?.close();
    await killLeftovers();
    await db?.dispose();
    if (shots.length) process.stdout.write(`browser screenshots:\n${shots.map((s) => `  ${s}`).join('\n')}\n`);
  });

  it('puts a COPD patient on scale 2 only when confirmed, sets a personal limit with a reason, and the next reading alerts by it', async () => {
    const base = `http://127.0.0.1:${homeward.apiPort}`;
    const ward = await db.storage.registry.createWard(`Care-plan ward ${randomUUID().slice(0, 8)}`);
    const device = await aPatientWithDevice(db.storage);
    await db.storage.registry.admit({ patientId: device.patientId, wardId: ward.id, pathway: 'copd' });
    const clinician = await anAccount(db.url, ['--role', 'clinician', '--ward', ward.id]);

    const page = await browser.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Email address').fill(clinician.email);
    await page.getByLabel('Password').fill(clinician.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.stream-status.live').waitFor();
    await page.goto(`${base}/patients/${device.patientId}`);
    await page.getByRole('heading', { name: 'Change the care plan' }).waitFor();
    const plan = page.locator('.care-plan');
    expect(await plan.locator('dl').innerText()).toMatch(/Pathway\s+COPD/);
    expect(await page.getByTestId('spo2-scale').innerText()).toBe('Scale 1 (target 96 % or more)');
    // The pathway's default sits beside the field that overrides it.
    expect(await page.getByRole('group', { name: 'Oxygen saturation (SpO2)', exact: true }).innerText()).toMatch(/Pathway default: at or below 91 % \(high\)/);

    // Scale 2 without a reason, then without the confirmation: each problem shown where it belongs.
    await page.getByRole('radio', { name: /Scale 2 \(target 88–92 %\)/ }).check();
    await page.getByRole('button', { name: 'Save the care plan' }).click();
    await page.getByRole('alert').filter({ hasText: 'The care plan was not saved' }).waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'The care plan was not saved' }).innerText()).toMatch(/reason: say why the plan changes/);
    const reason = `Usual SpO2 88-90 % at home ${randomUUID().slice(0, 4)}`;
    await page.getByLabel('Reason for the change').fill(reason);
    await page.getByLabel('Review by').fill('2030-01-31');
    await page.getByLabel('Oxygen saturation (SpO2): alert at or below (%)').fill('86');
    await page.getByLabel('Oxygen saturation (SpO2): severity when low').selectOption('low-medium');
    await page.getByRole('button', { name: 'Save the care plan' }).click();
    await page.locator('#err-spo2Scale').waitFor();
    expect(await page.locator('#err-spo2Scale').innerText()).toMatch(/hypercapnic respiratory failure with a target of 88–92 %/);
    await shot('40-care-plan-field-error');

    await page.getByRole('checkbox', { name: /I confirm this patient has hypercapnic respiratory failure/ }).check();
    await page.getByRole('button', { name: 'Save the care plan' }).click();
    const saved = page.getByRole('status').filter({ hasText: 'Care plan saved.' });
    await saved.waitFor();
    const changes = await saved.getByRole('list', { name: 'What changed' }).innerText();
    expect(changes).toMatch(/news2: null → .*"scale":2/); // the plan was empty: all pathway defaults
    expect(changes).not.toMatch(/weightGain/); // untouched fields stay out of the plan
    expect(changes).toMatch(/thresholdOverrides: null → .*"value":86/);
    await page.getByTestId('spo2-scale').filter({ hasText: `Scale 2 (target 88–92 %)` }).waitFor();
    expect(await page.getByTestId('spo2-scale').innerText()).toContain(reason);
    await shot('41-care-plan-saved');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Audited with who and why, and the old and new values.
    const [audit] = await db.storage.audit.search({ patientId: device.patientId, action: 'care-plan.update' });
    expect(audit).toMatchObject({ actorId: clinician.id, details: { reason } });

    // The next reading: 86 % crosses the clinician's limit, and the alert says whose and why.
    const client = await connectDevice(homeward.mqttPort, device);
    await client.publishAsync(
      topics.readings(device.deviceId),
      JSON.stringify({ messageId: randomUUID(), sentAt: new Date().toISOString(), readings: [{ vital: 'spo2', value: 86, unit: '%', deviceTime: new Date(Date.now() - 20_000).toISOString() }] }),
      { qos: 1 },
    );
    await page.goto(`${base}/`);
    const line = page.locator('li[data-rule="vital-threshold"]');
    await line.waitFor({ timeout: 30_000 });
    expect(await line.getAttribute('data-severity')).toBe('low-medium');
    await line.locator('a.alert-link').click();
    await page.getByTestId('explanation').waitFor();
    expect(await page.getByTestId('explanation').innerText()).toContain(`("${reason}")`);
    await shot('42-alert-by-personal-limit');
    // The refused saves above are Chromium's "failed to load resource" lines for the 400 and 422 answers; nothing else.
    expect(browser.problems.filter((p) => !/status of (400|422)/.test(p))).toEqual([]);

    async function shot(name: string) {
      shots.push(await screenshot(page, name));
    }
  });
});
