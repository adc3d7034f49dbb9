import { deviceStatusText } from './devices';

describe('device status in words', () => {
  it('says a device never seen has sent nothing yet, and one gone quiet has not been seen', () => {
    expect(deviceStatusText({ status: 'not-seen', lastSeenAt: null })).toBe('No reading received yet');
    expect(deviceStatusText({ status: 'not-seen', lastSeenAt: '2026-12-01T08:00:00Z' })).toBe('Not seen for 48 h');
    expect(deviceStatusText({ status: 'ok', lastSeenAt: '2026-12-03T08:00:00Z' })).toBe('OK');
    expect(deviceStatusText({ status: 'battery-low', lastSeenAt: '2026-12-03T08:00:00Z' })).toBe('Battery low');
  });
});
