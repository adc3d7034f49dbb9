import { parseArgs } from 'node:util';
import { generateSecret, hashSecret } from '@homeward/auth';
import { ROLES, type Role, type User } from '@homeward/domain';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';
import type { Storage } from '@homeward/storage';
import { withStorage } from '../storage-and-topics';

const USAGE = `homeward user add --role <${ROLES.join('|')}> --email <email> --name <display name> [--ward <ward id>]… [--patient <patient id>]`;

/** Creates a person's account and prints a generated password once (only its scrypt hash is kept). */
export const userCommand: Command = {
  summary: 'Create an account: homeward user add --role nurse --ward <id> --email … --name … (password printed once)',
  usage: USAGE,
  async run(context: CliContext): Promise<number> {
    const [sub, ...rest] = context.args;
    let values: { role?: string; email?: string; name?: string; ward?: string[]; patient?: string };
    try {
      if (sub !== 'add') throw new Error('unknown sub-command');
      values = parseArgs({
        args: rest,
        options: { role: { type: 'string' }, email: { type: 'string' }, name: { type: 'string' }, ward: { type: 'string', multiple: true }, patient: { type: 'string' } },
        strict: true,
      }).values;
    } catch (error) {
      context.err(`${describeFailure(error)}\nUsage: ${USAGE}`);
      return 2;
    }
    const problems: string[] = [];
    const uuid = /^[0-9a-f-]{36}$/i;
    if (!values.role || !(ROLES as readonly string[]).includes(values.role)) problems.push(`--role must be one of ${ROLES.join(', ')}`);
    if (!values.email || !/^[^@\s]+@[^@\s]+$/.test(values.email)) problems.push('--email must be an email address');
    if (!values.name) problems.push('--name is required');
    for (const ward of values.ward ?? []) if (!uuid.test(ward)) problems.push(`--ward ${ward} is not a ward id`);
    if ((values.role === 'nurse' || values.role === 'clinician') && (values.ward ?? []).length === 0) problems.push('nurses and clinicians need at least one --ward');
    if (values.role === 'patient' && (!values.patient || !uuid.test(values.patient))) problems.push('a patient account needs --patient <patient id>');
    if (problems.length > 0) {
      context.err(`${problems.join('\n')}\nUsage: ${USAGE}`);
      return 2;
    }
    const config = context.config();
    if (!config) return 2;
    return withStorage(config, context, () => undefined, async (storage) => {
      for (const ward of values.ward ?? []) {
        if (!(await storage.registry.getWard(ward))) {
          context.err(`No ward ${ward} exists.`);
          return 1;
        }
      }
      const { user, password } = await createAccount(storage, {
        email: values.email as string,
        displayName: values.name as string,
        role: values.role as Role,
        wardIds: values.ward ?? [],
        patientId: values.role === 'patient' ? (values.patient ?? null) : null,
      });
      context.out(JSON.stringify({ user, wards: values.ward ?? [], password, note: 'The password is shown only now; Homeward keeps only a hash of it.' }, null, 2));
      return 0;
    }, 'homeward user add');
  },
};

/**
 * Creates an account with a generated password (only its scrypt hash is kept), puts it on its
 * wards and audits it. Shared by `homeward user add` and `homeward demo`.
 */
export async function createAccount(
  storage: Storage,
  input: { email: string; displayName: string; role: Role; wardIds: readonly string[]; patientId: string | null },
): Promise<{ user: User; password: string }> {
  if (input.role === 'patient' && input.patientId && (await storage.registry.patientAccount(input.patientId))) {
    throw new Error(`patient ${input.patientId} already has an account; disable it before making another`);
  }
  const password = generateSecret();
  const user = await storage.registry.createUser({ email: input.email, displayName: input.displayName, role: input.role, passwordHash: await hashSecret(password) });
  for (const ward of input.wardIds) await storage.registry.addWardMember(ward, user.id);
  if (input.role === 'patient' && input.patientId && !(await storage.registry.linkPatientAccount(input.patientId, user.id))) {
    throw new Error(`patient ${input.patientId} already has an account; disable it before making another`);
  }
  await storage.audit.record({ actorType: 'system', actorId: 'cli', action: 'user.create', subjectType: 'user', subjectId: user.id, details: { role: user.role, wards: [...input.wardIds] } });
  return { user, password };
}
