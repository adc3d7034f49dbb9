import { launchChromium } from './browser-fixture';

describe('the browser fixture', () => {
  it('names the install command when Chromium is missing, instead of downloading a browser', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(/apt-get install -y chromium/);
  });
});
