import type { AlertDto, WorklistItem } from '@homeward/contracts';
import { announcement, attentionTitle, cueKey, firstSentence, isNewTopSeverity } from './attention';
import { BAND_NAMES } from './colours';

const item = (overrides: Partial<AlertDto>): WorklistItem => ({
  alert: { id: 'a1', severity: 'high', state: 'open', worsenedAt: null, explanation: 'SpO2 88 % is at or below 91 %. NEWS2 red parameter.', ...overrides } as AlertDto,
  patient: { id: 'p', name: 'Ann Archer', nhsNumber: '9434765919' },
  waitingMinutes: 0,
});

describe('attention cues', () => {
  it('cues a new open high alert once, again when it worsens, never for lower or acknowledged ones', () => {
    const seen = new Set<string>();
    expect(isNewTopSeverity(item({}), seen)).toBe(true);
    seen.add(cueKey(item({}).alert));
    expect(isNewTopSeverity(item({}), seen)).toBe(false);
    expect(isNewTopSeverity(item({ worsenedAt: '2026-12-03T10:00:00Z' }), seen)).toBe(true);
    expect(isNewTopSeverity(item({ id: 'a2', severity: 'medium' }), seen)).toBe(false);
    expect(isNewTopSeverity(item({ id: 'a3', state: 'acknowledged' }), seen)).toBe(false);
  });

  it('puts the count in the tab title', () => {
    expect(attentionTitle('Worklist – Homeward', 0)).toBe('Worklist – Homeward');
    expect(attentionTitle('Worklist – Homeward', 1)).toBe('(1) High alert – Worklist – Homeward');
    expect(attentionTitle('Worklist – Homeward', 3)).toBe('(3) High alerts – Worklist – Homeward');
  });

  it('announces the severity in the same word as the badge, the patient and the first sentence', () => {
    expect(announcement(item({}), (b) => BAND_NAMES[b])).toBe('New high severity alert for Ann Archer: SpO2 88 % is at or below 91 %.');
    expect(firstSentence('One line only')).toBe('One line only');
    expect(firstSentence('Weight 81.5 kg is up 2.5 kg in 3 days. More.')).toBe('Weight 81.5 kg is up 2.5 kg in 3 days.');
  });
});
