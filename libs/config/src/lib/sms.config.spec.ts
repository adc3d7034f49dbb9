import { parseConfig } from './config';

const parse = (env: Record<string, string>) => parseConfig(env, { cwd: '/srv', joinPath: (...parts) => parts.join('/') });

describe('SMS settings', () => {
  it('leaves SMS off when no SMSC host is set', () => {
    const result = parse({});
    expect(result.ok && result.value.sms).toBeUndefined();
  });

  it('reads the SMSC, the sender, the rate, the reminder hours and the templates', () => {
    const result = parse({
      HOMEWARD_SMPP_HOST: 'smsc.example.net',
      HOMEWARD_SMPP_SYSTEM_ID: 'homeward',
      HOMEWARD_SMPP_PASSWORD: 'secret',
      HOMEWARD_SMPP_TLS: 'on',
      HOMEWARD_SMS_SENDER: '+447700900999',
      HOMEWARD_SMS_RATE_PER_SECOND: '10',
      HOMEWARD_SMS_REMINDER_HOURS: '8-21',
      HOMEWARD_SMS_REMINDER_TEXT: 'Please send {reading}.',
    });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value.sms).toMatchObject({
      smpp: { host: 'smsc.example.net', port: 3550, systemId: 'homeward', password: 'secret', tls: true },
      sender: '+447700900999',
      ratePerSecond: 10,
      reminderHours: { from: 8, to: 21 },
      timeZone: 'Europe/London',
      templates: { reminder: 'Please send {reading}.' },
    });
  });

  it('lists every bad SMS setting at once and never echoes the password', () => {
    const result = parse({ HOMEWARD_SMPP_HOST: 'smsc', HOMEWARD_SMPP_PASSWORD: 'far-too-long-password', HOMEWARD_SMS_REMINDER_HOURS: '20-8', HOMEWARD_SMS_TIME_ZONE: 'Mars/Olympus' });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const problems = (result.error.details?.['problems'] ?? []) as Array<{ variable: string; value?: string }>;
    expect(problems.map((p) => p.variable).sort()).toEqual(['HOMEWARD_SMPP_PASSWORD', 'HOMEWARD_SMPP_SYSTEM_ID', 'HOMEWARD_SMS_REMINDER_HOURS', 'HOMEWARD_SMS_SENDER', 'HOMEWARD_SMS_TIME_ZONE']);
    expect(result.error.message).not.toContain('far-too-long-password');
  });

  it('asks for the host when other SMS settings are given without it', () => {
    const result = parse({ HOMEWARD_SMS_SENDER: '+447700900999' });
    expect(!result.ok && result.error.message).toContain('HOMEWARD_SMPP_HOST');
  });
});
