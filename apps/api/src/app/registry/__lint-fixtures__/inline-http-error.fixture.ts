// Lint fixture (apps/api/test/error-boundaries-lint.spec.ts): what issue 17 forbids above the error table.
import { ConflictException, NotFoundException } from '@nestjs/common';

export async function registerDevice(insert: () => Promise<void>, found: boolean): Promise<void> {
  if (!found) throw new NotFoundException({ code: 'device.not-found', message: 'No such device.' });
  try {
    await insert();
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new ConflictException({ code: 'device.exists', message: 'Registered already.' });
    switch ((error as { code?: string }).code) {
      case '40001':
        return;
      default:
        throw error;
    }
  }
}
