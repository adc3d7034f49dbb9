import { randomUUID } from 'node:crypto';
import { aReading } from '@homeward/testing';
import { aPatientWithDevice } from '../e2e/gateway-fixture';
import { anAccount, homewardInBrowser, seriousAxeViolations, signInAs } from './browser-fixture';

const HOUR = 3_600_000;

// Issue 19 item 5: a trend chart shades the patient's limits, breaks its line where expected
// readings are missing, and offers its values as a labelled table for screen readers.
describe('readable trend charts in a real browser', () => {
  const suite = homewardInBrowser();
  it('draws a gap where readings are overdue, shades the limits, and shows the same values as a table', async () => {
    const ward = await suite.db.storage.registry.createWard(`Chart ward ${randomUUID().slice(0, 8)}`);
    const device = await aPatientWithDevice(suite.db.storage);
    // Acute respiratory infection: SpO2 expected every 8 h, so 16 h without one is a gap.
    await suite.db.storage.registry.admit({ patientId: device.patientId, wardId: ward.id, pathway: 'acute-respiratory-infection' });
    const nurse = await anAccount(suite.db.url, ['--role', 'nurse', '--ward', ward.id]);
    const now = Date.now();
    const hoursAgo = [23, 22, 21, 3, 2, 1]; // 18 h between 21 h ago and 3 h ago
    await suite.db.storage.readings.insertBatch(hoursAgo.map((h, i) => aReading({ patientId: device.patientId, deviceId: device.deviceId, value: 94 + (i % 3), measuredAt: new Date(now - h * HOUR) })));

    const page = await suite.browser.newPage();
    page.setDefaultTimeout(20_000);
    const base = suite.base;
    await signInAs(page, `${base}/`, nurse);
    await page.goto(`${base}/patients/${device.patientId}`);

    const chart = page.getByTestId('chart-spo2');
    await page.locator('[data-testid="chart-spo2"][data-points="6"][data-gaps="1"]').waitFor();
    expect(Number(await chart.getAttribute('data-bands'))).toBeGreaterThan(0); // the pathway's SpO2 limits, shaded
    expect(await chart.getByRole('img').getAttribute('aria-label')).toMatch(/6 readings, from 94 to 96 %, 1 gap in the readings/);

    await chart.getByRole('button', { name: /Show as table/ }).click();
    const table = page.getByRole('table', { name: /Oxygen saturation.*oldest first/ });
    await table.waitFor();
    expect(await chart.getByRole('button', { name: /Hide the table/ }).getAttribute('aria-expanded')).toBe('true');
    const rows = await table.locator('tbody tr').allInnerTexts();
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatch(/94 %$/);
    expect(await table.getByRole('columnheader').allInnerTexts()).toEqual(['Measured', 'Oxygen saturation (SpO2)']);
    expect(await chart.innerText()).toMatch(/Missing readings \(gaps in the chart\): .+ to .+\./);
    expect(await page.getByRole('region', { name: /Oxygen saturation.* as a table/ }).getAttribute('tabindex')).toBe('0');
    await suite.shot(page, 'chart-day-gap-table');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // The week: hourly buckets, their lowest, mean and highest in the table.
    await page.getByRole('button', { name: 'Week' }).click();
    await chart.getByRole('img', { name: /hourly buckets/ }).waitFor();
    expect(await chart.getAttribute('data-gaps')).toBe('1'); // the same 18 h without a reading
    await chart.getByRole('button', { name: /Show as table/ }).click();
    expect(await page.getByRole('table', { name: /Oxygen saturation.*oldest first/ }).getByRole('columnheader').allInnerTexts()).toEqual(['Measured', 'Lowest', 'Mean', 'Highest', 'Readings']);
    await suite.shot(page, 'chart-week-table');
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(suite.browser.problems).toEqual([]);
  });
});
