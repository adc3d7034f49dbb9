import { DEFAULT_PATIENT_ADVICE } from '@homeward/contracts';
import type { RegistryRepository } from '@homeward/storage';
import { PatientAdvisor, devicePatientAdvisor } from './patient-advice.advisor';

type Stored = Awaited<ReturnType<RegistryRepository['patientAdviceContext']>>;

// The advisor's own logic (which plan and words, reuse for ttlMs): the registry's answer is given
// here as data and the lookups are counted. The query itself runs on real PostgreSQL in the api's
// patient-advice spec and the gateway's e2e spec.
function registryAnswering(answers: Record<string, Stored>) {
  const asked: string[] = [];
  return {
    asked,
    registry: {
      patientAdviceContext: async (patientId: string): Promise<Stored> => {
        asked.push(patientId);
        return answers[patientId];
      },
    },
  };
}

const admitted = (carePlan: Record<string, unknown>, wardPatientAdvice: string | null): Stored => ({
  admission: { id: 'a1', patientId: 'p1', wardId: 'w1', pathway: 'copd', admittedAt: new Date('2026-11-01T00:00:00Z'), dischargedAt: null, carePlan },
  wardPatientAdvice,
});

const SCALE_2 = { news2: { spo2Scale: { scale: 2, decidedBy: 'dr-okafor', decidedAt: '2026-11-01T09:00:00Z', reason: 'Hypercapnic respiratory failure' } } };

describe('PatientAdvisor', () => {
  it("gives the ward's words for a red reading, and nothing for an ordinary one", async () => {
    const { registry } = registryAnswering({ p1: admitted({}, 'Call Riverside ward on 0300 123 4567 now.') });
    const advisor = new PatientAdvisor(registry);
    expect(await advisor.adviceFor('p1', [{ vital: 'spo2', value: 88 }, { vital: 'heart_rate', value: 112 }])).toEqual({ level: 'red', message: 'Call Riverside ward on 0300 123 4567 now.' });
    expect(await advisor.adviceFor('p1', [{ vital: 'spo2', value: 96 }])).toBeUndefined();
  });

  it('uses the default words when the ward set none, and scale 1 with the default for a patient on no ward', async () => {
    const { registry } = registryAnswering({ p1: admitted({}, null), p2: undefined });
    const advisor = new PatientAdvisor(registry);
    expect(await advisor.adviceFor('p1', [{ vital: 'heart_rate', value: 131 }])).toEqual({ level: 'red', message: DEFAULT_PATIENT_ADVICE });
    expect(await advisor.adviceFor('p2', [{ vital: 'spo2', value: 91 }])).toEqual({ level: 'red', message: DEFAULT_PATIENT_ADVICE });
  });

  it("reads the stored care plan: a clinician's scale-2 decision moves the SpO2 edge", async () => {
    const { registry } = registryAnswering({ p1: admitted(SCALE_2, null) });
    const advisor = new PatientAdvisor(registry);
    expect(await advisor.adviceFor('p1', [{ vital: 'spo2', value: 86 }])).toBeUndefined();
    expect(await advisor.adviceFor('p1', [{ vital: 'spo2', value: 83 }])).toMatchObject({ level: 'red' });
  });

  it('reads the registry every time by default, and not at all for no readings', async () => {
    const { registry, asked } = registryAnswering({ p1: admitted({}, null) });
    const advisor = new PatientAdvisor(registry);
    await advisor.adviceFor('p1', [{ vital: 'spo2', value: 97 }]);
    await advisor.adviceFor('p1', [{ vital: 'spo2', value: 97 }]);
    expect(await advisor.adviceFor('p1', [])).toBeUndefined();
    expect(asked).toEqual(['p1', 'p1']);
  });

  it('reuses a patient’s plan and words for ttlMs by its clock, then reads them again', async () => {
    const answers: Record<string, Stored> = { p1: admitted({}, 'Old words.') };
    const { registry, asked } = registryAnswering(answers);
    let now = 1_000_000;
    const advisor = new PatientAdvisor(registry, { ttlMs: 30_000, now: () => now });
    expect(await advisor.adviceFor('p1', [{ vital: 'spo2', value: 88 }])).toMatchObject({ message: 'Old words.' });
    answers['p1'] = admitted({}, 'New words.');
    now += 29_999;
    expect(await advisor.adviceFor('p1', [{ vital: 'spo2', value: 88 }])).toMatchObject({ message: 'Old words.' });
    now += 1;
    expect(await advisor.adviceFor('p1', [{ vital: 'spo2', value: 88 }])).toMatchObject({ message: 'New words.' });
    expect(asked).toEqual(['p1', 'p1']);
  });

  it('keeps one device advisor per registry', () => {
    const a = registryAnswering({}).registry;
    const b = registryAnswering({}).registry;
    expect(devicePatientAdvisor(a)).toBe(devicePatientAdvisor(a));
    expect(devicePatientAdvisor(a)).not.toBe(devicePatientAdvisor(b));
  });
});
