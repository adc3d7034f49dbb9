import { All, Controller, Delete, Get, Header, HttpStatus, Inject, Param, ParseUUIDPipe, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Bundle, CapabilityStatement, Device, Flag, Observation, Patient, Resource, Subscription } from '@medplum/fhirtypes';
import { FHIR_JSON, capabilityStatement, parseFlagSearch, parseObservationSearch, parsePatientSearch, problem } from '@homeward/fhir';
import { CurrentUser, Public, Roles, type SignedInUser } from '../auth/access.decorators';
import { Audited, type AuditTrail, NotAudited, Trail } from '../audit/audit.decorators';
import { FhirExceptionFilter, type FhirRequest, type FhirResponse, fhirFailure, readFhirBody } from './fhir-http';
import { searchOrRefuse, searchRequest } from './fhir-search';
import { FhirImportService } from './fhir-import.service';
import { FhirSearchService } from './fhir-search.service';
import { FhirSubscriptionService } from './fhir-subscription.service';
import { FHIR_OPTIONS, type ResolvedFhirOptions } from './fhir.options';
import { type Caller, FhirService } from './fhir.service';

const FHIR_CONTENT_TYPE = `${FHIR_JSON}; charset=utf-8`;

/**
 * FHIR R4 at /fhir: what EPRs speak. The CapabilityStatement is public; everything else needs
 * the same sign-in (Authorization: Bearer from /api/auth/sign-in) and follows the same ward
 * isolation and audit as /api. Bodies and answers are application/fhir+json; errors are
 * OperationOutcomes. (Not in the OpenAPI document: the FHIR specification describes it.)
 */
@ApiExcludeController()
@UseFilters(FhirExceptionFilter)
@Controller('fhir')
export class FhirController {
  constructor(
    @Inject(FhirService) private readonly fhir: FhirService,
    @Inject(FhirSearchService) private readonly searches: FhirSearchService,
    @Inject(FhirImportService) private readonly imports: FhirImportService,
    @Inject(FhirSubscriptionService) private readonly subscriptions: FhirSubscriptionService,
    @Inject(FHIR_OPTIONS) private readonly options: ResolvedFhirOptions,
  ) {}

  @Public()
  @NotAudited('The CapabilityStatement: what the server supports, no patient data.')
  @Get('metadata')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  metadata(@Req() request: FhirRequest): CapabilityStatement {
    return capabilityStatement(baseUrl(request), { name: 'Homeward', version: '0.1.0' }, this.options.clock.now());
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('fhir.patient.search', 'patient')
  @Get('Patient')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  patients(@Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Bundle> {
    const { params, handling } = searchRequest(request);
    return this.searches.patients(caller(request, user, trail), searchOrRefuse(parsePatientSearch(params, handling)));
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('fhir.patient.read', 'patient', { param: 'id' })
  @Get('Patient/:id')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  patient(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Patient> {
    return this.fhir.patient(caller(request, user, trail), id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('fhir.patient.everything', 'patient', { param: 'id' })
  @Get('Patient/:id/:operation')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  operation(@Param('id', new ParseUUIDPipe()) id: string, @Param('operation') operation: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Bundle> {
    if (operation !== '$everything') {
      throw fhirFailure('fhir.operation-unknown', [problem('fhir.operation-unknown', `Patient supports $everything only; not "${operation}".`, 'Patient', 'not-supported')]);
    }
    return this.fhir.everything(caller(request, user, trail), id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('fhir.observation.search', 'patient')
  @Get('Observation')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  search(@Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Bundle> {
    const { params, handling } = searchRequest(request);
    return this.searches.observations(caller(request, user, trail), searchOrRefuse(parseObservationSearch(params, { handling, now: this.options.clock.now() })));
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('fhir.observation.read', 'patient')
  @Get('Observation/:id')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  observation(@Param('id') id: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Observation> {
    return this.fhir.observation(caller(request, user, trail), id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('fhir.flag.search', 'patient')
  @Get('Flag')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  flags(@Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Bundle> {
    const { params, handling } = searchRequest(request);
    return this.searches.flags(caller(request, user, trail), searchOrRefuse(parseFlagSearch(params, handling)));
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('fhir.flag.read', 'patient')
  @Get('Flag/:id')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  flag(@Param('id') id: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Flag> {
    return this.searches.flag(caller(request, user, trail), id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('fhir.device.read', 'patient')
  @Get('Device/:id')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  device(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Device> {
    return this.fhir.device(caller(request, user, trail), id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('fhir.observation.create', 'patient')
  @Post('Observation')
  async create(@Req() request: FhirRequest, @Res({ passthrough: true }) response: FhirResponse, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Resource> {
    const ifNoneExist = request.headers['if-none-exist'];
    const result = await this.imports.create(caller(request, user, trail), await readFhirBody(request), typeof ifNoneExist === 'string' && ifNoneExist !== '' ? ifNoneExist : null);
    response.status(result.status);
    response.setHeader('Content-Type', FHIR_CONTENT_TYPE);
    // Every create answer says where the Observation is: the new one, or the one already stored.
    response.setHeader('Location', result.location);
    const prefer = String(request.headers['prefer'] ?? '');
    return /return=OperationOutcome/i.test(prefer) && result.outcome ? result.outcome : result.body;
  }

  @Roles('patient', 'nurse', 'clinician')
  @Audited('fhir.transaction', 'patient')
  @Post()
  async transaction(@Req() request: FhirRequest, @Res({ passthrough: true }) response: FhirResponse, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Bundle> {
    const bundle = await this.imports.bundle(caller(request, user, trail), await readFhirBody(request));
    response.status(HttpStatus.OK);
    response.setHeader('Content-Type', FHIR_CONTENT_TYPE);
    return bundle;
  }

  @Roles('nurse', 'clinician')
  @Audited('fhir.subscription.create', 'subscription')
  @Post('Subscription')
  async subscribe(@Req() request: FhirRequest, @Res({ passthrough: true }) response: FhirResponse, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Subscription> {
    const subscription = await this.subscriptions.create(caller(request, user, trail), await readFhirBody(request));
    response.status(HttpStatus.CREATED);
    response.setHeader('Content-Type', FHIR_CONTENT_TYPE);
    response.setHeader('Location', `${baseUrl(request)}/Subscription/${subscription.id ?? ''}`);
    return subscription;
  }

  @Roles('nurse', 'clinician')
  @Audited('fhir.subscription.search', 'subscription')
  @Get('Subscription')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  subscriptionList(@Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Bundle> {
    return this.subscriptions.list(caller(request, user, trail));
  }

  @Roles('nurse', 'clinician')
  @Audited('fhir.subscription.read', 'subscription', { param: 'id' })
  @Get('Subscription/:id')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  subscription(@Param('id') id: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Subscription> {
    return this.subscriptions.read(caller(request, user, trail), id);
  }

  @Roles('nurse', 'clinician')
  @Audited('fhir.subscription.delete', 'subscription', { param: 'id' })
  @Delete('Subscription/:id')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  unsubscribe(@Param('id') id: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Trail() trail: AuditTrail): Promise<Subscription> {
    return this.subscriptions.end(caller(request, user, trail), id);
  }

  /**
   * Everything else under /fhir (other resource types, _history, update, delete, other
   * operations): an OperationOutcome saying it is not supported, never a non-FHIR 404. Declared
   * last, so every supported route above is matched first.
   */
  @Public()
  @NotAudited('Refused before any patient data is read: an OperationOutcome saying what is not supported.')
  @All('*')
  unsupported(@Req() request: FhirRequest): never {
    const path = new URL(request.originalUrl ?? request.url, 'http://localhost').pathname.replace(/^\/fhir\/?/, '');
    const [type = '', ...rest] = path.split('/');
    const supportedTypes = ['Patient', 'Observation', 'Device', 'Flag', 'Subscription'];
    if (!supportedTypes.includes(type)) {
      throw fhirFailure('fhir.resource-not-supported', [problem('fhir.resource-not-supported', `${type || 'This'} is not a resource type served here; supported: ${supportedTypes.join(', ')} (see /fhir/metadata).`, type || 'Resource', 'not-supported')]);
    }
    const interaction = rest.includes('_history') ? 'history (_history)' : `${request.method ?? 'this'} ${rest.length > 0 ? 'on an instance' : 'on the type'}`;
    throw fhirFailure('fhir.interaction-not-supported', [problem('fhir.interaction-not-supported', `${type} does not support ${interaction}; see /fhir/metadata for what does.`, type, 'not-supported')]);
  }
}

function baseUrl(request: FhirRequest): string {
  const host = request.headers['host'] ?? 'localhost';
  return `${request.protocol ?? 'http'}://${Array.isArray(host) ? host[0] : host}/fhir`;
}

function caller(request: FhirRequest, user: SignedInUser, trail: AuditTrail): Caller {
  return { user, trail, baseUrl: baseUrl(request) };
}
