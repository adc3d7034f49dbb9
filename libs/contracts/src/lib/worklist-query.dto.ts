import { IsIn, IsOptional } from 'class-validator';

/**
 * What a worklist item is: a clinical alert, one of the three silences (patient silent, hub or app
 * offline, device unused), or a technical problem (bad frames, wrong clock, late delivery, low
 * battery, stalled pipeline). Technical and silence items are never counted as clinical alerts.
 */
export const WORKLIST_KINDS = ['clinical', 'silence', 'technical'] as const;
export type WorklistKind = (typeof WORKLIST_KINDS)[number];

/** The query of `GET /api/worklist`: `?kind=technical` shows the technical items alone. */
export class WorklistQueryDto {
  @IsOptional()
  @IsIn(WORKLIST_KINDS, { message: `kind must be one of ${WORKLIST_KINDS.join(', ')}` })
  kind?: WorklistKind;
}
