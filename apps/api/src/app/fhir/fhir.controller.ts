import { All, Controller, Get, Header, HttpStatus, Inject, Ip, Param, ParseUUIDPipe, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Bundle, CapabilityStatement, Device, Flag, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { FHIR_JSON, capabilityStatement, parseFlagSearch, parseObservationSearch, parsePatientSearch, problem } from '@homeward/fhir';
import { CurrentUser, Public, Roles, type SignedInUser } from '../auth/access.decorators';
import { FhirExceptionFilter, FhirProblemException, type FhirRequest, type FhirResponse, readFhirBody } from './fhir-http';
import { searchOrRefuse, searchRequest } from './fhir-search';
import { FhirImportService } from './fhir-import.service';
import { FhirSearchService } from './fhir-search.service';
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
    @Inject(FHIR_OPTIONS) private readonly options: ResolvedFhirOptions,
  ) {}

  @Public()
  @Get('metadata')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  metadata(@Req() request: FhirRequest): CapabilityStatement {
    return capabilityStatement(baseUrl(request), { name: 'Homeward', version: '0.1.0' }, new Date());
  }

  @Roles('patient', 'nurse', 'clinician')
  @Get('Patient')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  patients(@Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Bundle> {
    const { params, handling } = searchRequest(request);
    return this.searches.patients(caller(request, user, ip), searchOrRefuse(parsePatientSearch(params, handling)));
  }

  @Roles('patient', 'nurse', 'clinician')
  @Get('Patient/:id')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  patient(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Patient> {
    return this.fhir.patient(caller(request, user, ip), id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Get('Patient/:id/:operation')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  operation(@Param('id', new ParseUUIDPipe()) id: string, @Param('operation') operation: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Bundle> {
    if (operation !== '$everything') {
      throw new FhirProblemException([problem('fhir.operation-unknown', `Patient supports $everything only; not "${operation}".`, 'Patient', 'not-supported')], HttpStatus.NOT_FOUND);
    }
    return this.fhir.everything(caller(request, user, ip), id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Get('Observation')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  search(@Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Bundle> {
    const { params, handling } = searchRequest(request);
    return this.searches.observations(caller(request, user, ip), searchOrRefuse(parseObservationSearch(params, { handling, now: this.options.clock.now() })));
  }

  @Roles('patient', 'nurse', 'clinician')
  @Get('Observation/:id')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  observation(@Param('id') id: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Observation> {
    return this.fhir.observation(caller(request, user, ip), id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Get('Flag')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  flags(@Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Bundle> {
    const { params, handling } = searchRequest(request);
    return this.searches.flags(caller(request, user, ip), searchOrRefuse(parseFlagSearch(params, handling)));
  }

  @Roles('patient', 'nurse', 'clinician')
  @Get('Flag/:id')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  flag(@Param('id') id: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Flag> {
    return this.searches.flag(caller(request, user, ip), id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Get('Device/:id')
  @Header('Content-Type', FHIR_CONTENT_TYPE)
  device(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: FhirRequest, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Device> {
    return this.fhir.device(caller(request, user, ip), id);
  }

  @Roles('patient', 'nurse', 'clinician')
  @Post('Observation')
  async create(@Req() request: FhirRequest, @Res({ passthrough: true }) response: FhirResponse, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Resource> {
    const ifNoneExist = request.headers['if-none-exist'];
    const result = await this.imports.create(caller(request, user, ip), await readFhirBody(request), typeof ifNoneExist === 'string' && ifNoneExist !== '' ? ifNoneExist : null);
    response.status(result.status);
    response.setHeader('Content-Type', FHIR_CONTENT_TYPE);
    // Every create answer says where the Observation is: the new one, or the one already stored.
    response.setHeader('Location', result.location);
    const prefer = String(request.headers['prefer'] ?? '');
    return /return=OperationOutcome/i.test(prefer) && result.outcome ? result.outcome : result.body;
  }

  @Roles('patient', 'nurse', 'clinician')
  @Post()
  async transaction(@Req() request: FhirRequest, @Res({ passthrough: true }) response: FhirResponse, @CurrentUser() user: SignedInUser, @Ip() ip: string): Promise<Bundle> {
    const bundle = await this.imports.bundle(caller(request, user, ip), await readFhirBody(request));
    response.status(HttpStatus.OK);
    response.setHeader('Content-Type', FHIR_CONTENT_TYPE);
    return bundle;
  }

  /**
   * Everything else under /fhir (other resource types, _history, update, delete, other
   * operations): an OperationOutcome saying it is not supported, never a non-FHIR 404. Declared
   * last, so every supported route above is matched first.
   */
  @Public()
  @All('*')
  unsupported(@Req() request: FhirRequest): never {
    const path = new URL(request.originalUrl ?? request.url, 'http://localhost').pathname.replace(/^\/fhir\/?/, '');
    const [type = '', ...rest] = path.split('/');
    const supportedTypes = ['Patient', 'Observation', 'Device', 'Flag'];
    if (!supportedTypes.includes(type)) {
      throw new FhirProblemException([problem('fhir.resource-not-supported', `${type || 'This'} is not a resource type served here; supported: ${supportedTypes.join(', ')} (see /fhir/metadata).`, type || 'Resource', 'not-supported')], HttpStatus.NOT_FOUND);
    }
    const interaction = rest.includes('_history') ? 'history (_history)' : `${request.method ?? 'this'} ${rest.length > 0 ? 'on an instance' : 'on the type'}`;
    throw new FhirProblemException([problem('fhir.interaction-not-supported', `${type} does not support ${interaction}; see /fhir/metadata for what does.`, type, 'not-supported')], HttpStatus.METHOD_NOT_ALLOWED);
  }
}

function baseUrl(request: FhirRequest): string {
  const host = request.headers['host'] ?? 'localhost';
  return `${request.protocol ?? 'http'}://${Array.isArray(host) ? host[0] : host}/fhir`;
}

function caller(request: FhirRequest, user: SignedInUser, ip: string): Caller {
  return { user, ip, baseUrl: baseUrl(request) };
}
