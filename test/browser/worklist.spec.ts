import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { anAccount, homewardInBrowser, seriousAxeViolations, signInAs } from './browser-fixture';
import { type SeededPatient, seedBusyWard } from './worklist-seed';

// Issue 19: a nurse runs a 200-patient, 600-alert ward from the worklist by patient, in Debian's
// headless Chromium against `homeward start`, finding everything by role, label and text.
describe('the worklist by patient in a real browser', () => {
  const suite = homewardInBrowser();
  let base: string;
  let wardId: string;
  let patients: SeededPatient[];
  let nurse: { id: string; email: string; password: string };
  let page: Page;
  const shot = (name: string) => suite.shot(page, name);
  const statusLine = () => page.locator('.stream-status');
  /** Waits for the status line to say `text`; on timeout, says what it did say. */
  const waitForStatus = async (text: string) => {
    try {
      await statusLine().filter({ hasText: text }).waitFor({ timeout: 15_000 });
    } catch {
      throw new Error(`status line never said "${text}"; it says "${await statusLine().innerText()}"`);
    }
  };

  beforeAll(async () => {
    base = suite.base;
    wardId = (await suite.db.storage.registry.createWard(`Busy ward ${randomUUID().slice(0, 8)}`)).id;
    patients = await seedBusyWard(suite.db.storage, wardId, 200, 3);
    nurse = await anAccount(suite.db.url, ['--role', 'nurse', '--ward', wardId]);
    await anAccount(suite.db.url, ['--role', 'nurse', '--ward', wardId]); // a colleague to assign to
    page = await suite.browser.newPage();
    await signInAs(page, `${base}/`, nurse);
  }, 180_000);

  it('shows every patient once at their highest severity, paged with the total and counts per severity', async () => {
    await waitForStatus('200 patients with 600 open alerts');
    const rows = page.getByRole('list', { name: 'Patients with open alerts' }).locator(':scope > li');
    expect(await rows.count()).toBe(25);
    expect(await page.getByRole('navigation', { name: 'Worklist pages' }).innerText()).toMatch(/Page 1 of 8 \(patients 1–25 of 200\)/);
    // 50 patients in each band (worklist-seed: patient p's highest is band p mod 4).
    for (const chip of ['High: 50', 'Medium: 50', 'Low–medium: 50', 'Low: 50']) expect(await page.getByRole('button', { name: chip, exact: true }).count()).toBe(1);
    const first = rows.first();
    expect(await first.getAttribute('data-severity')).toBe('high');
    // The badge and the words agree.
    expect(await first.locator('.badge').first().innerText()).toBe('high');
    expect(await first.locator('li').first().locator('.sev-word').innerText()).toBe('High');
    // Three alerts behind the row, each with the value and when it was measured.
    expect(await first.getByRole('list', { name: /^3 alerts for / }).count()).toBe(1);
    expect(await first.innerText()).toMatch(/\d+ %, measured \d{1,2} \w{3} \d{4}, \d{2}:\d{2}/);
    // The patient's name goes to the patient; the alert's words go to the alert.
    expect(await first.locator('a.patient').getAttribute('href')).toMatch(/^\/patients\//);
    expect(await first.locator('a.alert-link').first().getAttribute('href')).toMatch(/^\/alerts\//);
    await shot('30-worklist-busy-ward');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2 of 8 (patients 26–50 of 200)').waitFor();
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByText('Page 1 of 8 (patients 1–25 of 200)').waitFor();
  });

  it('filters by severity, kind and pathway, and finds a patient by name or NHS number', async () => {
    await page.getByRole('button', { name: 'Low–medium: 50' }).click();
    await waitForStatus('50 patients');
    expect(await page.locator('li.patient-row[data-severity]:not([data-severity="low-medium"])').count()).toBe(0);
    await page.getByRole('button', { name: 'Low–medium: 50' }).click(); // off again
    await waitForStatus('200 patients');

    await page.getByLabel('Kind of alert').selectOption('silence');
    await waitForStatus('200 patients with 200 open alerts');
    expect(await page.locator('li[data-rule="vital-threshold"]').count()).toBe(0);
    await page.getByLabel('Kind of alert').selectOption('');
    await page.getByLabel('Pathway').selectOption('copd');
    await waitForStatus('40 patients with 120 open alerts');
    expect(await page.locator('li.patient-row').first().innerText()).toMatch(/COPD/);
    await page.getByLabel('Pathway').selectOption('');

    const target = patients[137] as SeededPatient;
    await page.getByLabel('Search by name or NHS number').fill(target.name.split(' ')[1] as string);
    await waitForStatus('1 patient with 3 open alerts');
    expect(await page.locator('li.patient-row a.patient').innerText()).toBe(target.name);
    const spaced = `${target.nhsNumber.slice(0, 3)} ${target.nhsNumber.slice(3, 6)} ${target.nhsNumber.slice(6)}`;
    await page.getByLabel('Search by name or NHS number').fill(spaced);
    await waitForStatus('1 patient with 3 open alerts');
    expect(await page.locator('li.patient-row a.patient').innerText()).toBe(target.name);
    await shot('31-worklist-search');
    await page.getByLabel('Search by name or NHS number').fill('');
    await waitForStatus('200 patients');
  });

  it('labels an escalated patient in words and filters to escalated and to mine', async () => {
    const target = patients[3] as SeededPatient;
    const [alert] = await suite.db.storage.alerts.forPatient(target.id);
    const escalated = await suite.db.storage.alerts.transition(alert?.id as string, { action: 'escalate', by: { type: 'user', id: nurse.id }, at: new Date(), reason: 'GP asked to visit' });
    expect(escalated.ok).toBe(true);
    await page.getByLabel('Escalated only').check();
    await waitForStatus('1 patient with 1 open alert');
    const row = page.locator('li.patient-row');
    expect(await row.locator('a.patient').innerText()).toBe(target.name);
    expect(await row.locator('.label.escalated').innerText()).toBe('Escalated');
    expect(await row.locator('.state').innerText()).toBe('escalated');
    await shot('32-worklist-escalated');
    await page.getByLabel('Escalated only').uncheck();

    await page.getByLabel('Assigned to me').check();
    await page.getByText('No patients match these filters.').waitFor();
    await page.getByLabel('Assigned to me').uncheck();
    await waitForStatus('200 patients');
  });

  it('acknowledges the open alerts of chosen patients after one confirmation', async () => {
    const rows = page.locator('li.patient-row');
    const names = [await rows.nth(0).locator('a.patient').innerText(), await rows.nth(1).locator('a.patient').innerText()];
    for (const name of names) await page.getByLabel(`Select ${name}`).check();
    await page.getByRole('button', { name: 'Acknowledge selected' }).click();
    const dialog = page.getByRole('alertdialog');
    expect(await dialog.innerText()).toMatch(/^Acknowledge 6 open alerts of 2 patients\?/);
    await shot('33-worklist-bulk-confirm');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Acknowledged 6 alerts.').waitFor();
    for (const name of names) {
      const row = page.locator('li.patient-row', { has: page.getByRole('link', { name, exact: true }) });
      await row.locator('.state', { hasText: 'acknowledged' }).nth(2).waitFor();
      expect(await row.locator('.state', { hasText: 'open' }).count()).toBe(0);
    }
    // Each alert is audited as if acknowledged alone, marked as part of a bulk action.
    const audited = await suite.db.storage.audit.search({ actorId: nurse.id, action: 'alert.acknowledge' });
    expect(audited).toHaveLength(6);
    expect(audited.every((entry) => entry.details?.['bulk'] === true)).toBe(true);
  });

  it('puts a count in the tab title and announces a new high alert, live', async () => {
    const target = patients[11] as SeededPatient;
    const measuredAt = new Date(Date.now() - 60_000);
    await suite.db.storage.alerts.raise({
      patientId: target.id,
      wardId,
      rule: 'news2-band',
      subject: 'news2',
      severity: 'high',
      explanation: 'NEWS2 8 (emergency threshold). Call the patient now.',
      details: { score: 8 },
      latestValue: 8,
      measuredAt,
      readingIds: [],
      evidenceReceivedAt: measuredAt,
      at: new Date(),
      escalationDueAt: new Date(Date.now() + 15 * 60_000),
      nextReminderAt: null,
      by: { type: 'system', id: 'browser-test' },
    });
    await page.waitForFunction(() => /^\(1\) High alert – Worklist – Homeward$/.test((globalThis as unknown as { document: { title: string } }).document.title));
    await page.getByTestId('announcer').filter({ hasText: `New high severity alert for ${target.name}: NEWS2 8 (emergency threshold).` }).waitFor({ state: 'attached' });
    expect(await page.getByTestId('announcer').getAttribute('aria-live')).toBe('polite');
    await waitForStatus('601 open alerts');
    expect(suite.browser.problems).toEqual([]);
  });
  it('the ward overview gives handover its facts, links names to patients, prints without the controls, and passes axe', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ward overview' }).click();
    await page.getByRole('heading', { name: 'Ward overview', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'No readings in the last 24 hours (200)' }).waitFor();
    const silence = await Promise.all(['high', 'medium', 'low-medium', 'low'].map(async (band) => Number(await page.getByTestId(`open-silence-${band}`).innerText())));
    expect(silence.reduce((a, b) => a + b, 0)).toBe(200); // one overdue reading per patient
    expect(Number(await page.getByTestId('open-clinical-high').innerText())).toBe(51); // 50 seeded + the NEWS2 alert raised live
    await page.getByRole('heading', { name: 'Escalated (1)' }).waitFor();
    const escalatedName = (patients[3] as SeededPatient).name;
    expect(await page.getByRole('link', { name: escalatedName, exact: true }).first().getAttribute('href')).toBe(`/patients/${(patients[3] as SeededPatient).id}`);
    await page.getByRole('heading', { name: 'Admitted in the last 7 days (200)' }).waitFor();
    await shot('34-ward-overview');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.masthead').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Print for handover' }).isVisible()).toBe(false);
    await shot('35-ward-overview-print');
    await page.emulateMedia({ media: 'screen' });
  });

  it('an unknown page of the app says so in HTML with a way back, and passes axe', async () => {
    await page.goto(`${base}/patients/${(patients[0] as SeededPatient).id}/no-such-page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await page.getByRole('link', { name: 'Go to the start page' }).getAttribute('href')).toBe('/');
    expect(await seriousAxeViolations(page)).toEqual([]);
    // An address outside the app answers the API's own HTML page (404), not JSON.
    const response = await page.goto(`${base}/no-such-page`);
    expect(response?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await page.getByRole('link', { name: 'Go to the worklist' }).getAttribute('href')).toBe('/');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  // With the pages above (worklist, overview, not-found) and the other specs (alert, patient, entry,
  // analytics, care-plan editor), this puts every page of the app through axe.
  it('the patients list and the sign-in page pass axe too', async () => {
    await page.goto(`${base}/patients`);
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    const first = patients[0] as SeededPatient;
    await page.getByRole('region', { name: 'Patients' }).getByRole('link', { name: first.name, exact: true }).waitFor();
    expect(await page.getByRole('link', { name: `Enter a reading for ${first.name}` }).getAttribute('href')).toBe(`/patients/${first.id}/enter`);
    await shot('36-patients-list');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Homeward' }).waitFor();
    await shot('37-sign-in');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
