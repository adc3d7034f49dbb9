import { Body, Controller, Get, Inject, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { CarePlanEditDto, type CarePlanEditResult, type CarePlanEditorView } from '@homeward/contracts';
import { CodedFailure } from '@homeward/domain';
import type { Storage, VersionedCarePlan } from '@homeward/storage';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Refuses } from '../http/openapi-responses';
import { STORAGE } from '../tokens';
import { carePlanChanges, carePlanEditProblems, carePlanEditorView, editedCarePlan, storedPlanDiff, unreadablePlanProblems } from './care-plan-edit';
import { Answers } from '../http/answer-schemas';
import { CARE_PLAN_EDIT_RESULT, CARE_PLAN_EDITOR_VIEW } from './care-plan-editor.answers';

/**
 * The care-plan editor: labelled fields instead of raw JSON. Reading it is for the ward's staff;
 * changing it is a clinical decision for a clinician (or an admin), audited with who, why and the
 * old and new values. The rules engine reads the plan afresh for each batch of readings, so a
 * change applies from the next reading.
 */
@Controller('api/patients')
export class CarePlanEditorController {
  constructor(@Inject(STORAGE) private readonly storage: Storage) {}

  @Roles('nurse', 'clinician', 'admin')
  @Audited('care-plan.read', 'admission')
  @Refuses('patient.not-on-a-ward')
  @Answers(CARE_PLAN_EDITOR_VIEW)
  @Get(':id/care-plan/edit')
  async view(@Param('id', new ParseUUIDPipe()) id: string, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<CarePlanEditorView> {
    const admission = await this.admitted(id, user);
    trail.about({ subjectId: admission.id, patientId: id });
    return carePlanEditorView(admission);
  }

  @Roles('clinician', 'admin')
  @Audited('care-plan.update', 'admission')
  @Refuses('patient.not-on-a-ward', 'care-plan.invalid', 'care-plan.stale', 'patient.discharged')
  @Answers(CARE_PLAN_EDIT_RESULT)
  @Put(':id/care-plan/edit')
  async edit(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: CarePlanEditDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<CarePlanEditResult> {
    const admission = await this.admitted(id, user);
    // Checked first, so a clinician whose screen is out of date reloads before fixing field problems.
    if (body.basedOnVersion !== admission.carePlanVersion) throw staleSave(admission.carePlanVersion);
    const fields = carePlanEditProblems(body, admission, new Date().toISOString().slice(0, 10));
    if (Object.keys(fields).length > 0) {
      throw new CodedFailure({ code: 'care-plan.invalid', message: Object.values(fields).join(' '), details: { messages: Object.values(fields), fields } });
    }
    const next = editedCarePlan(admission.carePlan, body, user.id, new Date());
    const unreadable = unreadablePlanProblems({ ...admission, carePlan: next });
    if (unreadable.length > 0) throw new CodedFailure({ code: 'care-plan.invalid', message: unreadable.map((p) => `carePlan: ${p}`).join(' '), details: { messages: unreadable.map((p) => `carePlan: ${p}`) } });
    // The version check above is advisory; this compare-and-set is what stops two saves from both landing.
    const saved = await this.storage.registry.updateCarePlanIfVersion(admission.id, body.basedOnVersion, next);
    if (saved.kind === 'discharged') throw new CodedFailure({ code: 'patient.discharged', message: 'The patient was discharged meanwhile.' });
    if (saved.kind === 'stale') throw staleSave(saved.current.carePlanVersion);
    const editor = carePlanEditorView(saved.admission);
    const changes = carePlanChanges(carePlanEditorView(admission), editor, user.displayName);
    trail.about({ subjectId: admission.id, patientId: id }).with({ reason: body.reason, changes, version: saved.admission.carePlanVersion, stored: storedPlanDiff(admission.carePlan, next) });
    return { changes, editor };
  }

  private async admitted(id: string, user: SignedInUser): Promise<VersionedCarePlan> {
    const admission = await this.storage.registry.activeAdmissionWithCarePlan(id);
    if (!admission || (user.role !== 'admin' && !user.wardIds.includes(admission.wardId))) {
      throw new CodedFailure({ code: 'patient.not-on-a-ward', message: 'No patient with this id is on your wards.' });
    }
    return admission;
  }
}

/** Someone saved the plan after this editor loaded it: refuse rather than overwrite their decision. */
function staleSave(currentVersion: number): CodedFailure {
  return new CodedFailure({
    code: 'care-plan.stale',
    message: 'Someone else saved this care plan while you were editing it. Reload the plan to see their change, then make yours again.',
    details: { currentVersion },
  });
}
