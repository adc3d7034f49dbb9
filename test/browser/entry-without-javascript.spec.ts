import { randomUUID } from 'node:crypto';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { aPatientWithDevice, realDatabase, startHomeward } from '../e2e/gateway-fixture';
import { killLeftovers } from '../e2e/homeward-process';
import { CHROMIUM, CHROMIUM_ARGS, anAccount, screenshot, seriousAxeViolations } from './browser-fixture';

const WARD_ADVICE = 'Call the Simple-form virtual ward on 01632 960 456 now. If you feel very unwell, call 999.';

// Issue 22 item 4: a patient signs in and sends readings with JavaScript switched off, sees each
// problem at its field and the ward's advice for a red reading; the pages pass axe and read well
// in the accessibility tree. Real processes (`homeward start`), real Chromium, real PostgreSQL.
describe('the reading form without JavaScript, in a real browser', () => {
  let db: Awaited<ReturnType<typeof realDatabase>>;
  let homeward: Awaited<ReturnType<typeof startHomeward>>;
  let browser: Browser;
  let noScript: BrowserContext;
  let withScript: BrowserContext;
  const problems: string[] = [];

  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    noScript = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 400, height: 900 } });
    withScript = await browser.newContext({ viewport: { width: 1280, height: 900 } }); // for axe only
    for (const context of [noScript, withScript]) {
      context.on('page', (page) => page.on('console', (m) => m.type() === 'error' && problems.push(m.text())));
    }
    db = await realDatabase();
    homeward = await startHomeward(db.url);
  });
  afterAll(async () => {
    await browser?.close();
    await killLeftovers();
    await db?.dispose();
  });

  it('signs in, shows errors at their fields, stores readings and shows the advice, with 0 serious axe violations', async () => {
    const base = `http://127.0.0.1:${homeward.apiPort}`;
    const ward = await db.storage.registry.createWard(`Simple-form ward ${randomUUID().slice(0, 8)}`);
    const device = await aPatientWithDevice(db.storage);
    await db.storage.registry.admit({ patientId: device.patientId, wardId: ward.id, pathway: 'general' });
    await db.storage.registry.setWardPatientAdvice(ward.id, WARD_ADVICE);
    const patient = await anAccount(db.url, ['--role', 'patient', '--patient', device.patientId]);
    const nurse = await anAccount(db.url, ['--role', 'nurse', '--ward', ward.id]);

    // The dashboard, with scripts off, points to the simple form.
    const page = await noScript.newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${base}/patients/${device.patientId}/enter`);
    await page.getByRole('link', { name: 'send your readings with the simple form' }).click();
    await page.getByRole('heading', { name: 'Sign in to send your readings' }).waitFor();
    const signInAnswer = await page.request.get(`${base}/enter`);
    expect(signInAnswer.headers()['content-security-policy']).toMatch(/default-src 'none'; style-src 'self'/);
    expect(await page.locator('script').count()).toBe(0);

    // A wrong password is told plainly; staff are sent to the dashboard.
    await page.getByLabel('Email address').fill(patient.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').innerText()).toMatch(/email address or password is not right/);
    expect(await page.getByLabel('Email address').inputValue()).toBe(patient.email);
    await page.getByLabel('Email address').fill(nurse.email);
    await page.getByLabel('Password').fill(nurse.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').innerText()).toMatch(/This simple form is for patients/);

    await page.getByLabel('Email address').fill(patient.email);
    await page.getByLabel('Password').fill(patient.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Send your readings' }).waitFor();
    const session = (await noScript.cookies()).find((c) => c.name === 'homeward_entry');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/enter', secure: false });
    await screenshot(page, 'entry-no-js-form');

    // The accessibility tree: each field named by its label, with how to measure as its description.
    const tree = await page.locator('main').ariaSnapshot();
    expect(tree).toContain('heading "Send your readings" [level=1]');
    expect(tree).toMatch(/textbox "Oxygen level \(SpO2\), in %"/);
    expect(tree).toMatch(/textbox "Blood pressure: top number"/);
    expect(tree).toContain('button "Send readings"');
    expect(await page.getByLabel('Oxygen level (SpO2), in %').getAttribute('aria-describedby')).toBe('spo2-hint');
    expect(await page.locator('#spo2-hint').innerText()).toMatch(/Put the clip on a warm finger/);

    // Problems, re-rendered by the server: a summary linking to each field, and the message at the field.
    await page.getByLabel('Oxygen level (SpO2), in %').fill('ninety');
    await page.getByLabel('Blood pressure: top number').fill('142');
    await page.getByRole('button', { name: 'Send readings' }).click();
    const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
    await summary.waitFor();
    expect(await page.title()).toMatch(/^Error: /);
    expect(await summary.getByRole('link').allInnerTexts()).toEqual(['Oxygen level (SpO2) must be a number, like 96.', 'Enter the bottom number of your blood pressure too.']);
    expect(await page.getByLabel('Oxygen level (SpO2), in %').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Oxygen level (SpO2), in %').inputValue()).toBe('ninety');
    expect((await page.locator('#spo2-error').textContent())?.replace(/\s+/g, ' ').trim()).toBe('Error: Oxygen level (SpO2) must be a number, like 96.');
    expect(await page.getByLabel('Blood pressure: bottom number').getAttribute('aria-describedby')).toBe('diastolic_bp-hint diastolic_bp-error');
    expect(await db.storage.readings.inRange(device.patientId, { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000), vitals: ['spo2', 'systolic_bp'] })).toEqual([]);
    await screenshot(page, 'entry-no-js-errors');
    await axeOn(`${base}/enter`, async (p) => {
      await p.getByLabel('Oxygen level (SpO2), in %').fill('ninety');
      await p.getByRole('button', { name: 'Send readings' }).click();
      await p.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
    });

    // A red reading: stored, and the ward's advice shown first.
    await page.getByLabel('Oxygen level (SpO2), in %').fill('88');
    await page.getByLabel('Blood pressure: top number').fill('');
    await page.getByLabel('Pulse, in beats a minute').fill('72');
    await page.getByRole('button', { name: 'Send readings' }).click();
    const advice = page.getByRole('alert').filter({ hasText: 'Urgent advice' });
    await advice.waitFor();
    expect(await advice.innerText()).toContain(WARD_ADVICE);
    expect(await page.getByRole('status').innerText()).toMatch(/Saved: Oxygen level \(SpO2\) 88, Pulse 72\./);
    expect(await page.getByLabel('Oxygen level (SpO2), in %').inputValue()).toBe(''); // a fresh form for the next time
    const stored = await db.storage.readings.inRange(device.patientId, { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000), vitals: ['spo2', 'heart_rate'] });
    expect(stored.map((r) => [r.vital, r.value, r.source]).sort()).toEqual([
      ['heart_rate', 72, 'manual'],
      ['spo2', 88, 'manual'],
    ]);
    const [audit] = await db.storage.audit.search({ patientId: device.patientId, action: 'reading.create' });
    expect(audit).toMatchObject({ actorId: patient.id, details: { stored: 2, form: 'no-javascript' } });
    await screenshot(page, 'entry-no-js-advice');
    await axeOn(`${base}/enter`, async (p) => {
      await p.getByLabel('Oxygen level (SpO2), in %').fill('97');
      await p.getByRole('button', { name: 'Send readings' }).click();
      await p.getByRole('status').waitFor();
    });

    // A post without the page's token (another site's form) stores nothing.
    const cookie = (await noScript.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const forged = await fetch(`${base}/enter/readings`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'spo2=80', redirect: 'manual' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('This page was out of date');
    expect((await db.storage.readings.inRange(device.patientId, { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 60_000), vitals: ['spo2'] })).map((r) => r.value)).not.toContain(80);

    // Signing out ends the session: the form asks to sign in again.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to send your readings' }).waitFor();
    const afterSignOut = await fetch(`${base}/enter/readings`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: 'spo2=96', redirect: 'manual' });
    expect(afterSignOut.status).toBe(401);
    // The error pages answer 400, 401 and 403 on purpose; anything else (a CSP violation, a missing file) is a defect.
    expect(problems.filter((p) => !/status of 40[013] /.test(p))).toEqual([]);

    /** axe-core needs scripts: the same page in a JavaScript-enabled context holding the same session. */
    async function axeOn(url: string, act: (p: import('playwright-core').Page) => Promise<void>): Promise<void> {
      await withScript.clearCookies();
      await withScript.addCookies(await noScript.cookies());
      const checked = await withScript.newPage();
      checked.setDefaultTimeout(20_000);
      await checked.goto(url);
      expect(await seriousAxeViolations(checked)).toEqual([]);
      await act(checked);
      expect(await seriousAxeViolations(checked)).toEqual([]);
      await checked.close();
    }
  });

  it('asks for sign-in first, and the sign-in form refuses a post without its token', async () => {
    const base = `http://127.0.0.1:${homeward.apiPort}`;
    const page = await noScript.newPage();
    await noScript.clearCookies();
    await page.goto(`${base}/enter`);
    await page.getByRole('heading', { name: 'Sign in to send your readings' }).waitFor();
    await withScript.clearCookies();
    const checked = await withScript.newPage();
    await checked.goto(`${base}/enter`);
    expect(await seriousAxeViolations(checked)).toEqual([]);
    await checked.close();
    const forged = await fetch(`${base}/enter/sign-in`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'email=a%40example.nhs.uk&password=x&csrf=guess', redirect: 'manual' });
    expect(forged.status).toBe(403);
    expect(forged.headers.get('set-cookie')).toMatch(/^homeward_entry_pre=[\w-]{32}; Path=\/enter; HttpOnly; SameSite=Strict/);
    // No body, or a JSON one, is an empty form: refused the same way, never a 500.
    for (const init of [{}, { headers: { 'content-type': 'application/json' }, body: '{"email":["x"]}' }]) {
      expect((await fetch(`${base}/enter/sign-in`, { method: 'POST', redirect: 'manual', ...init })).status).toBe(403);
      expect((await fetch(`${base}/enter/readings`, { method: 'POST', redirect: 'manual', ...init })).status).toBe(401);
      expect((await fetch(`${base}/enter/sign-out`, { method: 'POST', redirect: 'manual', ...init })).status).toBe(303);
    }
    await page.close();
  });
});
