import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { type BacktestReport, CarePlanBacktestDto, CarePlanEditDto, type CarePlanEditResult, type CarePlanEditorView } from '@homeward/contracts';
import { CodedFailure } from '@homeward/domain';
import type { AdmissionWithCarePlan, Storage } from '@homeward/storage';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Refuses } from '../http/openapi-responses';
import { STORAGE } from '../tokens';
import { carePlanChanges, carePlanEditProblems, carePlanEditorView, editedCarePlan, unreadablePlanProblems } from './care-plan-edit';
import { Answers } from '../http/answer-schemas';
import { CARE_PLAN_EDIT_RESULT, CARE_PLAN_EDITOR_VIEW } from './care-plan-editor.answers';
import { BACKTEST_REPORT } from '../analytics/analytics.answers';
import { wardBacktest } from '../analytics/ward-backtest';

/** What a tried (unsaved) change is recorded as in the plan it builds: no decision has been made. */
const TRIAL_REASON = 'tried on past readings, not saved';

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
  @Refuses('patient.not-on-a-ward', 'care-plan.invalid', 'patient.discharged')
  @Answers(CARE_PLAN_EDIT_RESULT)
  @Put(':id/care-plan/edit')
  async edit(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: CarePlanEditDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<CarePlanEditResult> {
    const admission = await this.admitted(id, user);
    const next = this.editedPlan(admission, body, user, new Date());
    const changes = carePlanChanges(admission.carePlan, next);
    const updated = await this.storage.registry.updateCarePlan(admission.id, next);
    if (!updated) throw new CodedFailure({ code: 'patient.discharged', message: 'The patient was discharged meanwhile.' });
    trail.about({ subjectId: admission.id, patientId: id }).with({ reason: body.reason, changes });
    return { changes, editor: carePlanEditorView(updated) };
  }

  /**
   * "Try this change on past data": the editor's proposal, built into a plan exactly as saving
   * would build it, replayed on this patient's readings of [from, to) beside the stored plan
   * (wardBacktest, limited to the patient). Nothing is saved; the try is audited.
   */
  @Roles('clinician', 'admin')
  @Audited('care-plan.backtest', 'admission')
  @Refuses('patient.not-on-a-ward', 'care-plan.invalid', 'analytics.range-invalid', 'analytics.range-too-long')
  @Answers(BACKTEST_REPORT)
  @Post(':id/care-plan/backtest')
  @HttpCode(200)
  async backtest(@Param('id', new ParseUUIDPipe()) id: string, @Body() body: CarePlanBacktestDto, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<BacktestReport> {
    const admission = await this.admitted(id, user);
    const now = new Date();
    // A review date after today, so the one check that is about saving (not about the plan) passes.
    const carePlan = this.editedPlan(admission, { ...body, reason: TRIAL_REASON, reviewBy: new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10) }, user, now);
    trail.about({ subjectId: admission.id, patientId: id }).with({ from: body.from, to: body.to, proposed: carePlanChanges(admission.carePlan, carePlan) });
    return wardBacktest(this.storage, { wardId: admission.wardId, from: new Date(body.from), to: new Date(body.to), carePlan, patientId: id });
  }

  /** The stored plan after the edit, or care-plan.invalid with each problem at its field: the same checks for a save and a try. */
  private editedPlan(admission: AdmissionWithCarePlan, edit: CarePlanEditDto, user: SignedInUser, now: Date): Record<string, unknown> {
    const fields = carePlanEditProblems(edit, admission, now.toISOString().slice(0, 10));
    if (Object.keys(fields).length > 0) {
      throw new CodedFailure({ code: 'care-plan.invalid', message: Object.values(fields).join(' '), details: { messages: Object.values(fields), fields } });
    }
    const next = editedCarePlan(admission.carePlan, edit, user.id, now);
    const unreadable = unreadablePlanProblems({ ...admission, carePlan: next });
    if (unreadable.length > 0) throw new CodedFailure({ code: 'care-plan.invalid', message: unreadable.map((p) => `carePlan: ${p}`).join(' '), details: { messages: unreadable.map((p) => `carePlan: ${p}`) } });
    return next;
  }

  private async admitted(id: string, user: SignedInUser): Promise<AdmissionWithCarePlan> {
    const admission = await this.storage.registry.activeAdmissionWithCarePlan(id);
    if (!admission || (user.role !== 'admin' && !user.wardIds.includes(admission.wardId))) {
      throw new CodedFailure({ code: 'patient.not-on-a-ward', message: 'No patient with this id is on your wards.' });
    }
    return admission;
  }
}
