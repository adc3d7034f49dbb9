import { readFileSync } from 'node:fs';
import { type HandComputedWard, seedHandComputedWard } from '@homeward/testing';
import { anAccount, homewardInBrowser, seriousAxeViolations, signInAs } from './browser-fixture';

// Issue 21 as a ward manager sees it: the hand-computed ward's outcomes by month and its alert
// burden, in a real browser against `homeward start`, with the CSV export and the print layout.
describe('ward analytics pages in a real browser', () => {
  const suite = homewardInBrowser();
  let ward: HandComputedWard;
  let clinician: { email: string; password: string };

  beforeAll(async () => {
    ward = await seedHandComputedWard(suite.db.storage);
    clinician = await anAccount(suite.db.url, ['--role', 'clinician', '--ward', ward.wardId]);
  });

  it('shows the monthly outcomes with their definitions, exports them as CSV and prints without the navigation', async () => {
    const base = suite.base;
    const page = await suite.browser.newPage();
    await signInAs(page, `${base}/analytics/outcomes?ward=${ward.wardId}&from=2026-10-01&to=2026-12-01`, clinician, { live: false });

    const rows = page.getByTestId('table-outcomes').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(2);
    // Month, patient-days, admissions, discharges, home, hospital, death, transferred, other, not recorded, hospital/urgent, GP, LOS, readmissions.
    expect((await rows.nth(0).innerText()).split('\t').map((c) => c.trim())).toEqual(['2026-10', '23.5', '4', '3', '1', '0', '0', '0', '1', '1', '1', '0', '4 / 1', '1']);
    expect((await rows.nth(1).innerText()).split('\t').map((c) => c.trim())).toEqual(['2026-11', '29.5', '2', '2', '0', '1', '1', '0', '0', '0', '0', '1', '10 / 10', '1']);
    expect(await page.getByTestId('definitions').innerText()).toContain('Readmissions within 30 days');
    expect(await page.getByTestId('chart-discharges').getAttribute('data-bars')).toBe('12');
    expect(await page.title()).toBe('Ward outcomes – Homeward');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export CSV' }).click();
    const file = await (await download).path();
    expect(readFileSync(file, 'utf8').split('\r\n')[1]).toBe('2026-10,23.5,4,3,1,0,0,0,1,1,1,0,3,4,1,1');

    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('header.masthead').isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: 'Export CSV' }).isVisible()).toBe(false);
    expect(await page.getByTestId('table-outcomes').isVisible()).toBe(true);
    await suite.shot(page, '40-ward-outcomes-print');
    await page.emulateMedia({ media: 'screen' });
    expect(await page.locator('header.masthead').isVisible()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // To the alert burden of the same ward and period, by the link.
    await page.getByRole('link', { name: 'Alert burden' }).click();
    const summary = page.getByTestId('burden-summary');
    await summary.getByRole('heading', { name: /2026-10-01 to 2026-12-01$/ }).waitFor();
    expect(new URL(page.url()).search).toBe(`?ward=${ward.wardId}&from=2026-10-01&to=2026-12-01`);
    const text = await summary.innerText();
    expect(text).toContain('Patient-days\n53');
    expect(text).toContain('7 (0.132 per patient-day)');
    expect(text).toContain('p50 40 min, p90 168 min (5 alerts)');
    expect(text).toContain('2 of 5 resolved by a person (40 %)');
    expect(text).toContain('63 of 212 expected readings (29.7 %)');
    expect(await page.getByTestId('chart-by-rule').getAttribute('data-bars')).toBe('5');
    expect(await page.getByTestId('table-devices').innerText()).toContain('Acme OX-1');
    await suite.shot(page, '41-alert-burden');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // November alone, through the form: P2 3.5 + P1 5 + P3 21 patient-days.
    await page.getByLabel('From').fill('2026-11-01');
    await page.getByRole('button', { name: 'Show' }).click();
    await summary.getByRole('heading', { name: /2026-11-01 to 2026-12-01$/ }).waitFor();
    expect(await summary.innerText()).toContain('Patient-days\n29.5');
    expect(new URL(page.url()).search).toBe(`?ward=${ward.wardId}&from=2026-11-01&to=2026-12-01`);
    expect(suite.browser.problems).toEqual([]);
  });
});
