import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { type CarePlanEditorView, topics } from '@homeward/contracts';
import { aReading } from '@homeward/testing';
import { aPatientWithDevice, connectDevice } from '../e2e/gateway-fixture';
import { call, signIn } from '../e2e/api-fixture';
import { anAccount, homewardInBrowser, seriousAxeViolations, signInAs } from './browser-fixture';

const DAY = 86_400_000;

// Issue 19: a clinician tunes a patient's plan in labelled fields (SpO2 scale 2 on confirmation, a
// personal SpO2 limit, the SpO2-baseline trend rule, a reason and a review date); the change list
// speaks in plain words; the next reading alerts by the new plan; a save on a plan another clinician
// changed meanwhile is refused with an offer to reload.
describe('the care-plan editor in a real browser', () => {
  const suite = homewardInBrowser();
  let wardId: string;
  let clinician: { id: string; email: string; password: string };
  let page: Page;

  beforeAll(async () => {
    wardId = (await suite.db.storage.registry.createWard(`Care-plan ward ${randomUUID().slice(0, 8)}`)).id;
    clinician = await anAccount(suite.db.url, ['--role', 'clinician', '--ward', wardId]);
    page = await suite.browser.newPage();
    await signInAs(page, `${suite.base}/`, clinician);
  }, 60_000);

  const save = () => page.getByRole('button', { name: 'Save the care plan' }).click();
  const refusal = () => page.getByRole('alert').filter({ hasText: 'The care plan was not saved' });
  const publish = async (device: Awaited<ReturnType<typeof aPatientWithDevice>>, value: number) => {
    const client = await connectDevice(suite.homeward.mqttPort, device);
    await client.publishAsync(
      topics.readings(device.deviceId),
      JSON.stringify({ messageId: randomUUID(), sentAt: new Date().toISOString(), readings: [{ vital: 'spo2', value, unit: '%', deviceTime: new Date(Date.now() - 20_000).toISOString() }] }),
      { qos: 1 },
    );
  };

  it('puts a COPD patient on scale 2 only when confirmed, sets a personal limit with a reason, lists the change in words, and the next reading alerts by it', async () => {
    const device = await aPatientWithDevice(suite.db.storage);
    await suite.db.storage.registry.admit({ patientId: device.patientId, wardId, pathway: 'copd' });
    await page.goto(`${suite.base}/patients/${device.patientId}`);
    await page.getByRole('heading', { name: 'Change the care plan' }).waitFor();
    const plan = page.locator('.care-plan');
    expect(await plan.locator('dl').innerText()).toMatch(/Pathway\s+COPD/);
    expect(await page.getByTestId('spo2-scale').innerText()).toBe('Scale 1 (target 96 % or more)');
    // The pathway's default sits beside the field that overrides it.
    expect(await page.getByRole('group', { name: 'Oxygen saturation (SpO2)', exact: true }).innerText()).toMatch(/Pathway default: at or below 91 % \(high\)/);

    // Scale 2 without a reason, then without the confirmation: each problem shown where it belongs.
    await page.getByRole('radio', { name: /Scale 2 \(target 88–92 %\)/ }).check();
    await save();
    await refusal().waitFor();
    expect(await refusal().innerText()).toMatch(/reason: say why the plan changes/);
    const reason = `Usual SpO2 88-90 % at home ${randomUUID().slice(0, 4)}`;
    await page.getByLabel('Reason for the change').fill(reason);
    await page.getByLabel('Review by').fill('2030-01-31');
    await page.getByLabel('Oxygen saturation (SpO2): alert at or below (%)').fill('86');
    await page.getByLabel('Oxygen saturation (SpO2): severity when low').selectOption('low-medium');
    await save();
    await page.locator('#err-spo2Scale').waitFor();
    expect(await page.locator('#err-spo2Scale').innerText()).toMatch(/hypercapnic respiratory failure with a target of 88–92 %/);
    await suite.shot(page, '40-care-plan-field-error');

    await page.getByRole('checkbox', { name: /I confirm this patient has hypercapnic respiratory failure/ }).check();
    await save();
    const saved = page.getByRole('status').filter({ hasText: 'Care plan saved.' });
    await saved.waitFor();
    // What changed, in a clinician's words: no field paths, no JSON.
    const changes = await saved.getByRole('list', { name: 'What changed' }).innerText();
    expect(changes).toContain(`SpO2 scale: Scale 1 → Scale 2 (target 88–92 %), confirmed by clinician ${clinician.email.slice(0, 4)}`);
    expect(changes).toContain("SpO2 lower limit: 91 % (high), 93 % (low) (pathway's) → 86 % (low–medium)");
    expect(changes).toContain('Review by: none → 2030-01-31');
    expect(changes).not.toMatch(/[{}"]|news2|thresholdOverrides|weight/i); // untouched trend rules stay out
    await page.getByTestId('spo2-scale').filter({ hasText: `Scale 2 (target 88–92 %)` }).waitFor();
    expect(await page.getByTestId('spo2-scale').innerText()).toContain(reason);
    await suite.shot(page, '41-care-plan-saved');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Audited with who and why, and the change in words.
    const [audit] = await suite.db.storage.audit.search({ patientId: device.patientId, action: 'care-plan.update' });
    expect(audit).toMatchObject({ actorId: clinician.id, details: { reason, changes: expect.arrayContaining([{ what: 'Review by', before: 'none', after: '2030-01-31' }]) } });

    // The next reading: 86 % crosses the clinician's limit, and the alert says whose and why.
    await publish(device, 86);
    await page.goto(`${suite.base}/`);
    const line = page.locator('li[data-rule="vital-threshold"]');
    await line.waitFor({ timeout: 30_000 });
    expect(await line.getAttribute('data-severity')).toBe('low-medium');
    await line.locator('a.alert-link').click();
    await page.getByTestId('explanation').waitFor();
    expect(await page.getByTestId('explanation').innerText()).toContain(`("${reason}")`);
    await suite.shot(page, '42-alert-by-personal-limit');

    // Two clinicians at once: this editor shows version 2 while a colleague saves version 3.
    await page.goto(`${suite.base}/patients/${device.patientId}`);
    await page.getByRole('heading', { name: 'Change the care plan' }).waitFor();
    const colleague = await anAccount(suite.db.url, ['--role', 'clinician', '--ward', wardId]);
    const token = ((await (await signIn(suite.base, colleague.email, colleague.password)).json()) as { token: string }).token;
    const theirs = (await (await call(suite.base, token, 'GET', `/api/patients/${device.patientId}/care-plan/edit`)).json()) as CarePlanEditorView;
    const theirSave = await call(suite.base, token, 'PUT', `/api/patients/${device.patientId}/care-plan/edit`, {
      reason: 'Lower limit 85 % after review',
      reviewBy: '2030-02-28',
      spo2Scale: 2,
      limits: [{ vital: 'spo2', limits: [{ direction: 'at-or-below', value: 85, severity: 'low-medium' }] }],
      basedOnVersion: theirs.version,
    });
    expect(theirSave.status).toBe(200);
    await page.getByLabel('Reason for the change').fill('Pulse limit for AF');
    await page.getByLabel('Heart rate: alert at or above (/min)').fill('130');
    await save();
    await refusal().filter({ hasText: 'Someone else saved this care plan while you were editing it' }).waitFor();
    await suite.shot(page, '43-care-plan-stale-save');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Not last-wins: the colleague's limit stands.
    expect((await suite.db.storage.registry.activeAdmissionWithCarePlan(device.patientId))?.carePlan).toMatchObject({ thresholdOverrides: [{ vital: 'spo2', thresholds: [{ value: 85 }] }] });
    await refusal().getByRole('button', { name: 'Reload the care plan' }).click();
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { value: string } | null } }).document.querySelector('#cp-spo2-low')?.value === '85');
    expect(await page.getByLabel('Reason for the change').inputValue()).toBe('Pulse limit for AF'); // kept for the retry
    await page.getByLabel('Heart rate: alert at or above (/min)').fill('130');
    await save();
    await saved.waitFor();
    expect(await saved.getByRole('list', { name: 'What changed' }).innerText()).toMatch(/^Heart rate upper limit: .* → 130 \/min \(low\)$/m);
    // The refused saves are Chromium's "failed to load resource" lines for the 400, 409 and 422 answers; nothing else.
    expect(suite.browser.problems.filter((p) => !/status of (400|409|422)/.test(p))).toEqual([]);
  });

  it("edits the SpO2-baseline trend rule in labelled fields with a message at each bad field, and the next reading alerts by the patient's new rule", async () => {
    const device = await aPatientWithDevice(suite.db.storage);
    await suite.db.storage.registry.admit({ patientId: device.patientId, wardId, pathway: 'general' });
    // A steady week: mean 96.7 %, SD 0.5. A reading of 94 is 2.7 points below it: under the default 3-point drop.
    const now = Date.now();
    await suite.db.storage.readings.insertBatch(
      [97, 97, 96, 97, 97, 96].map((value, i) => aReading({ patientId: device.patientId, deviceId: device.deviceId, value, measuredAt: new Date(now - (i + 1) * 0.8 * DAY) })),
    );
    await page.goto(`${suite.base}/patients/${device.patientId}`);
    const rule = page.getByRole('group', { name: "SpO2 drop from the patient's baseline (trend rule)" });
    await rule.waitFor();
    expect(await rule.getByLabel('Alert on a drop from the SpO2 baseline').isChecked()).toBe(true); // on by default, every pathway
    expect(await rule.getByLabel('SpO2 drop of at least (percentage points)').inputValue()).toBe('3');

    // Out of range: each message sits at its own field, tied to it for screen readers.
    await page.getByLabel('Reason for the change').fill('Catch smaller drops: recurrent chest infections');
    await page.getByLabel('Review by').fill('2030-03-31');
    await rule.getByLabel('SpO2 baseline: period (days)').fill('1');
    await rule.getByLabel('SpO2 drop of at least (percentage points)').fill('0');
    await save();
    await page.locator('#err-spo2Baseline-days').waitFor();
    expect(await page.locator('#err-spo2Baseline-days').innerText()).toBe('The baseline must cover 2 to 30 days (whole days).');
    expect(await page.locator('#err-spo2Baseline-minDropPoints').innerText()).toBe('The drop must be 1 to 15 percentage points.');
    expect(await rule.getByLabel('SpO2 baseline: period (days)').getAttribute('aria-describedby')).toBe('err-spo2Baseline-days');
    expect(await rule.getByLabel('SpO2 baseline: period (days)').getAttribute('aria-invalid')).toBe('true');
    await suite.shot(page, '44-care-plan-baseline-field-errors');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await rule.getByLabel('SpO2 baseline: period (days)').fill('7');
    await rule.getByLabel('SpO2 drop of at least (percentage points)').fill('2');
    await rule.getByLabel('SpO2 drop: severity of the alert').selectOption('low-medium');
    await save();
    const saved = page.getByRole('status').filter({ hasText: 'Care plan saved.' });
    await saved.waitFor();
    const changes = await saved.getByRole('list', { name: 'What changed' }).innerText();
    expect(changes).toContain('SpO2 drop of at least: 3 points → 2 points');
    expect(changes).toContain('SpO2 drop-from-baseline alert severity: medium → low–medium');
    await suite.shot(page, '45-care-plan-baseline-saved');

    // The next reading, 94 %, is 2.7 points below the baseline: an alert by the clinician's 2-point rule.
    await publish(device, 94);
    await page.goto(`${suite.base}/`);
    const line = page.locator('li[data-rule="spo2-baseline-drop"]');
    await line.waitFor({ timeout: 30_000 });
    expect(await line.getAttribute('data-severity')).toBe('low-medium');
    expect(await line.innerText()).toMatch(/SpO2 94 %, 2\.7 points below this patient's 7-day baseline of 96\.7 %/);
    await suite.shot(page, '46-alert-by-baseline-rule');
  });
});
