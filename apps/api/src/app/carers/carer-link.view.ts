import type { CarerLinkView } from '@homeward/contracts';
import type { CarerLink } from '@homeward/storage';

export function carerLinkView(link: CarerLink): CarerLinkView {
  return {
    id: link.id,
    carerId: link.carerId,
    patientId: link.patientId,
    basis: link.basis,
    decidedOn: link.decidedOn,
    reason: link.reason,
    decidedBy: link.decidedBy,
    startedAt: link.startedAt.toISOString(),
    endedAt: link.endedAt?.toISOString() ?? null,
    endReason: link.endReason,
  };
}
