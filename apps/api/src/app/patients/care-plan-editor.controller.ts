import { Body, Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { type BacktestReport, CarePlanBacktestDto, CarePlanEditDto, type CarePlanEditChoices, type CarePlanEditResult, type CarePlanEditorView } from '@homeward/contracts';
import { CodedFailure } from '@homeward/domain';
import type { Storage, VersionedCarePlan } from '@homeward/storage';
import { Audited, type AuditTrail, Trail } from '../audit/audit.decorators';
import { CurrentUser, Roles, type SignedInUser } from '../auth/access.decorators';
import { Refuses } from '../http/openapi-responses';
import type { Clock } from '../clock';
import { CLOCK, STORAGE } from '../tokens';
import { carePlanChanges, carePlanEditProblems, carePlanEditorView, editedCarePlan, storedPlanDiff, unreadablePlanProblems } from './care-plan-edit';
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
  constructor(
    @Inject(STORAGE) private readonly storage: Storage,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

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
    const next = this.editedPlan(admission, body, user, this.clock.now());
    // The version check above is advisory; this compare-and-set is what stops two saves from both landing.
    const saved = await this.storage.registry.updateCarePlanIfVersion(admission.id, body.basedOnVersion, next);
    if (saved.kind === 'discharged') throw new CodedFailure({ code: 'patient.discharged', message: 'The patient was discharged meanwhile.' });
    if (saved.kind === 'stale') throw staleSave(saved.current.carePlanVersion);
    const editor = carePlanEditorView(saved.admission);
    const changes = carePlanChanges(carePlanEditorView(admission), editor, user.displayName);
    trail.about({ subjectId: admission.id, patientId: id }).with({ reason: body.reason, changes, version: saved.admission.carePlanVersion, stored: storedPlanDiff(admission.carePlan, next) });
    return { changes, editor };
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
    const now = this.clock.now();
    // A review date after today, so the one check that is about saving (not about the plan) passes.
    const carePlan = this.editedPlan(admission, { ...body, reason: TRIAL_REASON, reviewBy: new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10) }, user, now);
    const proposed = carePlanChanges(carePlanEditorView(admission), carePlanEditorView({ ...admission, carePlan }), user.displayName);
    trail.about({ subjectId: admission.id, patientId: id }).with({ from: body.from, to: body.to, proposed });
    return wardBacktest(this.storage, { wardId: admission.wardId, from: new Date(body.from), to: new Date(body.to), carePlan, patientId: id });
  }

  /** The stored plan after the edit, or care-plan.invalid with each problem at its field: the same checks for a save and a try. */
  private editedPlan(admission: VersionedCarePlan, edit: CarePlanEditChoices, user: SignedInUser, now: Date): Record<string, unknown> {
    const fields = carePlanEditProblems(edit, admission, now.toISOString().slice(0, 10));
    if (Object.keys(fields).length > 0) {
      throw new CodedFailure({ code: 'care-plan.invalid', message: Object.values(fields).join(' '), details: { messages: Object.values(fields), fields } });
    }
    const next = editedCarePlan(admission.carePlan, edit, user.id, now);
    const unreadable = unreadablePlanProblems({ ...admission, carePlan: next }, now);
    if (unreadable.length > 0) throw new CodedFailure({ code: 'care-plan.invalid', message: unreadable.map((p) => `carePlan: ${p}`).join(' '), details: { messages: unreadable.map((p) => `carePlan: ${p}`) } });
    return next;
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
