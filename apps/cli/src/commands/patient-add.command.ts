import { parseArgs } from 'node:util';
import { PATHWAYS, type Pathway, formatNhsNumber, parseNhsNumber } from '@homeward/domain';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';
import { withStorage } from '../storage-and-topics';

const USAGE = `homeward patient add --nhs-number "943 476 5919" --given-name <name> --family-name <name> --date-of-birth YYYY-MM-DD [--ward-name <ward> --pathway <${PATHWAYS.join('|')}>]`;

/** Registers a patient (NHS number checked) and optionally admits them to a virtual ward; prints JSON. */
export const patientCommand: Command = {
  summary: 'Register a patient (and admit to a ward): homeward patient add --nhs-number … --given-name … --family-name … --date-of-birth …',
  usage: USAGE,
  async run(context: CliContext): Promise<number> {
    const [sub, ...rest] = context.args;
    let values: Record<string, string | undefined>;
    try {
      if (sub !== 'add') throw new Error('unknown sub-command');
      values = parseArgs({
        args: rest,
        options: {
          'nhs-number': { type: 'string' },
          'given-name': { type: 'string' },
          'family-name': { type: 'string' },
          'date-of-birth': { type: 'string' },
          'ward-name': { type: 'string' },
          pathway: { type: 'string' },
        },
        strict: true,
      }).values as Record<string, string | undefined>;
    } catch (error) {
      context.err(`${describeFailure(error)}\nUsage: ${USAGE}`);
      return 2;
    }
    const problems: string[] = [];
    const nhs = parseNhsNumber(values['nhs-number'] ?? '');
    if (!nhs.ok) problems.push(`--nhs-number: ${nhs.error.message}`);
    if (!values['given-name']) problems.push('--given-name is required');
    if (!values['family-name']) problems.push('--family-name is required');
    const dob = values['date-of-birth'] ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dob) || Number.isNaN(Date.parse(`${dob}T00:00:00Z`))) problems.push('--date-of-birth must be a date, YYYY-MM-DD');
    const pathway = values['pathway'] ?? 'general';
    if (!(PATHWAYS as readonly string[]).includes(pathway)) problems.push(`--pathway must be one of ${PATHWAYS.join(', ')}`);
    if (problems.length > 0 || !nhs.ok) {
      context.err(`${problems.join('\n')}\nUsage: ${USAGE}`);
      return 2;
    }
    const config = context.config();
    if (!config) return 2;
    return withStorage(config, context, () => undefined, async (storage) => {
      const existing = await storage.registry.findPatientByNhsNumber(nhs.value);
      if (existing) {
        context.err(`A patient with NHS number ${formatNhsNumber(nhs.value)} is already registered (id ${existing.id}).`);
        return 1;
      }
      const patient = await storage.registry.createPatient({
        nhsNumber: nhs.value,
        givenName: values['given-name'] as string,
        familyName: values['family-name'] as string,
        dateOfBirth: dob,
      });
      let admission;
      if (values['ward-name']) {
        const ward = (await storage.registry.findWardByName(values['ward-name'])) ?? (await storage.registry.createWard(values['ward-name']));
        admission = await storage.registry.admit({ patientId: patient.id, wardId: ward.id, pathway: pathway as Pathway });
      }
      await storage.audit.record({ actorType: 'system', actorId: 'cli', action: 'patient.create', subjectType: 'patient', subjectId: patient.id, patientId: patient.id });
      context.out(JSON.stringify({ patient, ...(admission ? { admission } : {}) }, null, 2));
      return 0;
    }, 'homeward patient add');
  },
};
