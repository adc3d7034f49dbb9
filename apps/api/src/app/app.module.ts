import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { IngestPipeline } from '@homeward/ingest';
import type { Storage } from '@homeward/storage';
import { AccessGuard } from './auth/access.guard';
import { AuthController } from './auth/auth.controller';
import { SessionEvents } from './auth/session-events.service';
import { PasswordSignIn } from './auth/password-sign-in.service';
import { ReadingsController } from './readings/readings.controller';
import { EntryFormController } from './entry-form/entry-form.controller';
import { CarerProxyController } from './carers/carer-proxy.controller';
import { CarersController } from './carers/carers.controller';
import { TrendsController } from './patients/trends.controller';
import { CarePlanEditorController } from './patients/care-plan-editor.controller';
import { WorklistController } from './worklist/worklist.controller';
import { PatientWorklistController } from './worklist/patient-worklist.controller';
import { HealthController } from './health/health.controller';
import { AuditController } from './registry/audit.controller';
import { DevicesController } from './registry/devices.controller';
import { PatientsController } from './registry/patients.controller';
import { PeopleController } from './registry/people.controller';
import { RejectedMessagesController } from './registry/rejected-messages.controller';
import { AlertStreamService } from './stream/alert-stream.service';
import { StreamController } from './stream/stream.controller';
import { SystemAlertStreamService } from './system-alerts/system-alert-stream.service';
import { SystemAlertsController } from './system-alerts/system-alerts.controller';
import { FhirController } from './fhir/fhir.controller';
import { FhirService } from './fhir/fhir.service';
import { FhirSearchService } from './fhir/fhir-search.service';
import { FhirImportService } from './fhir/fhir-import.service';
import { FhirSubscriptionDeliverer } from './fhir/fhir-subscription.deliverer';
import { FhirSubscriptionService } from './fhir/fhir-subscription.service';
import { FHIR_OPTIONS, type FhirOptions, resolveFhirOptions } from './fhir/fhir.options';
import { RulesEngineModule } from './rules-engine/rules-engine.module';
import { ObservabilityModule, type ObservabilityOptions } from './observability/observability.module';
import type { RulesEngineOptions } from './rules-engine/rules-engine.options';
import { NotificationsModule } from './notifications/notifications.module';
import { AnalyticsModule } from './analytics/analytics.module';
import type { NotificationOptions } from './notifications/notifications.options';
import { INGEST, STORAGE } from './tokens';
import { type Clock, SYSTEM_CLOCK } from './clock';
import { ClockModule } from './clock.module';
import { ProblemFilter } from './http/problem.filter';
import { AuditInterceptor } from './audit/audit.interceptor';

export interface AppModuleOptions {
  /**
   * The api's one clock (CLOCK): sessions, worklist waiting times, review dates, entries in the
   * future. Default SYSTEM_CLOCK; also the default for the engine's, notifications' and FHIR's clocks.
   */
  readonly clock?: Clock;
  /** The rules engine runs in the api by default; `{ enabled: false }` leaves it to another process. */
  readonly rulesEngine?: RulesEngineOptions;
  /** The gateway's pipeline when both run in one process, so manual entry shares its group commit. */
  readonly ingest?: IngestPipeline;
  /** /metrics and readiness checks beyond the database (the broker link). */
  readonly observability?: ObservabilityOptions;
  /** Escalation notifications: the deliverer's clock, retry policy, public URL for links. */
  readonly notifications?: NotificationOptions;
  /** The FHIR layer's clock and import limits. */
  readonly fhir?: FhirOptions;
}

@Module({})
export class AppModule {
  /** The storage is opened (and migrated) before Nest starts, by the `homeward` command. */
  static forRoot(storage: Storage, options: AppModuleOptions = {}): DynamicModule {
    const clock = options.clock ?? SYSTEM_CLOCK;
    return {
      module: AppModule,
      imports: [
        ClockModule.forRoot(clock),
        RulesEngineModule.forRoot(storage, { clock, ...options.rulesEngine }),
        ObservabilityModule.forRoot(storage, options.observability),
        NotificationsModule.forRoot(storage, { clock, ...options.notifications }),
        AnalyticsModule.forRoot(storage, clock),
      ],
      controllers: [
        HealthController,
        AuthController,
        PeopleController,
        PatientsController,
        DevicesController,
        ReadingsController,
        EntryFormController,
        CarersController,
        CarerProxyController,
        TrendsController,
        CarePlanEditorController,
        WorklistController,
        PatientWorklistController,
        StreamController,
        AuditController,
        RejectedMessagesController,
        SystemAlertsController,
        FhirController,
      ],
      providers: [
        AlertStreamService,
        SystemAlertStreamService,
        SessionEvents,
        PasswordSignIn,
        FhirService,
        FhirSearchService,
        FhirImportService,
        FhirSubscriptionService,
        FhirSubscriptionDeliverer,
        { provide: FHIR_OPTIONS, useValue: resolveFhirOptions({ clock, ...options.fhir }) },
        { provide: STORAGE, useValue: storage },
        { provide: INGEST, useValue: options.ingest ?? new IngestPipeline(storage, { maxClockSkewMs: 300_000 }) },
        // Every route needs an explicit access rule: @Public() or @Roles(...).
        { provide: APP_GUARD, useClass: AccessGuard },
        // Every error answered as the error table says (http/error-table.ts).
        { provide: APP_FILTER, useClass: ProblemFilter },
        // Every route says @Audited(...) or @NotAudited(reason); the records are written here only.
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
      ],
    };
  }
}
