import { randomUUID } from 'node:crypto';
import { aReading } from '@homeward/testing';
import { aPatientWithDevice } from '../e2e/gateway-fixture';
import { anAccount, homewardInBrowser, seriousAxeViolations, signInAs } from './browser-fixture';

const MINUTE = 60_000;
const COUNT = 1200; // more than one API page (1,000) for the chart, six table pages of 200

// Issue 17: the patient page shows the newest readings first and older ones on request, and the
// day chart still draws every reading of the day. Real processes (`homeward start`), real Chromium.
describe('patient readings in a real browser: newest first, older on request', () => {
  const suite = homewardInBrowser();
  it('lists 200 newest first, "Show older readings" adds the next 200 until all are shown, and the day chart has them all', async () => {
    const ward = await suite.db.storage.registry.createWard(`Paging ward ${randomUUID().slice(0, 8)}`);
    const device = await aPatientWithDevice(suite.db.storage);
    await suite.db.storage.registry.admit({ patientId: device.patientId, wardId: ward.id, pathway: 'general' });
    const nurse = await anAccount(suite.db.url, ['--role', 'nurse', '--ward', ward.id]);
    // One SpO2 a minute over the last 20 hours; ordinary values, so no alert gets in the way.
    const now = Date.now();
    const { stored } = await suite.db.storage.readings.insertBatch(
      Array.from({ length: COUNT }, (_, i) => aReading({ patientId: device.patientId, deviceId: device.deviceId, value: 95 + (i % 4), measuredAt: new Date(now - (i + 1) * MINUTE) })),
    );
    const newestFirst = [...stored].sort((a, b) => b.measuredAt.getTime() - a.measuredAt.getTime()).map((r) => r.id);

    const page = await suite.browser.newPage();
    page.setDefaultTimeout(20_000);
    const base = suite.base;
    await signInAs(page, `${base}/`, nurse);
    await page.goto(`${base}/patients/${device.patientId}`);

    const rows = page.locator('tr[data-reading-id]');
    const shownIds = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-reading-id')));
    await page.getByRole('button', { name: 'Show older readings' }).waitFor();
    expect(await shownIds()).toEqual(newestFirst.slice(0, 200));
    // The chart of the day fetched every page (1,000 at a time) and draws all of them.
    await page.locator(`[data-testid="chart-spo2"][data-points="${COUNT}"]`).waitFor();

    for (let shown = 400; shown <= COUNT; shown += 200) {
      await page.getByRole('button', { name: 'Show older readings' }).click();
      await page.locator(`tr[data-reading-id="${newestFirst[shown - 1]}"]`).waitFor();
    }
    expect(await shownIds()).toEqual(newestFirst);
    expect(await page.getByRole('button', { name: 'Show older readings' }).count()).toBe(0);
    expect(await page.getByTestId('readings-count').innerText()).toBe(`${COUNT} readings shown, all of this period.`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await suite.shot(page, 'readings-paging-all-shown');
    expect(suite.browser.problems).toEqual([]);
  });
});
