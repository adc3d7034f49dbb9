import type { Subscription } from '@medplum/fhirtypes';
import { FHIR_JSON } from './systems';
import { type FhirProblem, problem } from './operation-outcome';

/** What a Subscription may watch: new Observations or new Flags (alerts). */
export type SubscriptionTopic = 'Observation' | 'Flag';

/** A Subscription as posted, checked: what it watches, for whom, and where to send it. */
export interface SubscriptionRequest {
  readonly criteria: string;
  readonly resourceType: SubscriptionTopic;
  /** `patient=<id>`: one patient; `ward=<id>`: every patient on the ward. Exactly one. */
  readonly patientId: string | null;
  readonly wardId: string | null;
  readonly endpoint: string;
  readonly headers: readonly string[];
  /** channel.payload: the resource is sent (application/fhir+json); absent, only its id. */
  readonly payload: string | null;
  readonly reason: string | null;
}

/** What this server keeps of a Subscription, to answer it as FHIR. */
export interface StoredSubscription {
  readonly id: string;
  readonly criteria: string;
  readonly endpoint: string;
  readonly headers: readonly string[];
  readonly payload: string | null;
  readonly status: 'requested' | 'active' | 'error' | 'off';
  readonly reason: string | null;
  readonly lastError: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEADER = /^[A-Za-z0-9-]{1,64}: ?[^\r\n]{0,2048}$/;
const KNOWN = new Set(['resourceType', 'id', 'meta', 'status', 'reason', 'criteria', 'channel', 'end', 'contact', 'error', 'text']);

/** A posted Subscription (R4), or every problem with it: criteria, channel type rest-hook, endpoint, headers, payload. */
export function parseSubscription(body: unknown, options: { allowHttp: boolean }): { ok: true; value: SubscriptionRequest } | { ok: false; problems: FhirProblem[] } {
  if (typeof body !== 'object' || body === null || (body as { resourceType?: unknown }).resourceType !== 'Subscription') {
    return { ok: false, problems: [problem('fhir.not-a-subscription', 'Send a Subscription resource (resourceType "Subscription").', 'Subscription.resourceType', 'structure')] };
  }
  const s = body as Record<string, unknown>;
  const problems: FhirProblem[] = [];
  for (const key of Object.keys(s)) if (!KNOWN.has(key)) problems.push(problem('fhir.unknown-element', `Subscription.${key} is not an element this server takes.`, `Subscription.${key}`, 'structure'));
  const criteria = typeof s['criteria'] === 'string' ? s['criteria'].trim() : '';
  const scope = parseCriteria(criteria);
  if (!scope.ok) problems.push(scope.problem);
  if (s['status'] !== undefined && s['status'] !== 'requested') problems.push(problem('fhir.subscription-status', 'A new Subscription has status "requested"; the server makes it active.', 'Subscription.status', 'business-rule'));
  if (s['end'] !== undefined) problems.push(problem('fhir.subscription-end', 'Subscription.end is not supported; DELETE the Subscription to end it.', 'Subscription.end', 'not-supported'));
  const channel = typeof s['channel'] === 'object' && s['channel'] !== null ? (s['channel'] as Record<string, unknown>) : {};
  if (channel['type'] !== 'rest-hook') problems.push(problem('fhir.channel-type', 'Only channel.type "rest-hook" is supported.', 'Subscription.channel.type', 'not-supported'));
  const endpoint = typeof channel['endpoint'] === 'string' ? channel['endpoint'] : '';
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || !(url.protocol === 'https:' || (options.allowHttp && url.protocol === 'http:'))) {
    problems.push(problem('fhir.channel-endpoint', `channel.endpoint must be an absolute ${options.allowHttp ? 'http(s)' : 'https'} URL.`, 'Subscription.channel.endpoint', 'invalid'));
  }
  const headers = Array.isArray(channel['header']) ? channel['header'] : channel['header'] === undefined ? [] : null;
  if (headers === null || headers.some((h) => typeof h !== 'string' || !HEADER.test(h))) problems.push(problem('fhir.channel-header', 'channel.header is a list of "Name: value" strings.', 'Subscription.channel.header', 'invalid'));
  const payload = channel['payload'] === undefined ? null : channel['payload'];
  if (payload !== null && payload !== FHIR_JSON && payload !== 'application/json') problems.push(problem('fhir.channel-payload', `channel.payload is ${FHIR_JSON} (the resource is sent) or absent (its id only).`, 'Subscription.channel.payload', 'not-supported'));
  if (problems.length > 0 || !scope.ok) return { ok: false, problems };
  return {
    ok: true,
    value: {
      criteria,
      ...scope.value,
      endpoint,
      headers: (headers ?? []) as string[],
      payload: payload as string | null,
      reason: typeof s['reason'] === 'string' ? s['reason'] : null,
    },
  };
}

function parseCriteria(criteria: string): { ok: true; value: { resourceType: SubscriptionTopic; patientId: string | null; wardId: string | null } } | { ok: false; problem: FhirProblem } {
  const refuse = (message: string) => ({ ok: false as const, problem: problem('fhir.subscription-criteria', message, 'Subscription.criteria', 'not-supported') });
  const [type, query = ''] = criteria.split('?', 2);
  if (type !== 'Observation' && type !== 'Flag') return refuse('criteria is Observation?… or Flag?… (new readings or new alerts).');
  const params = new URLSearchParams(query);
  const names = [...params.keys()];
  if (names.length !== 1 || params.getAll(names[0] as string).length !== 1 || !['patient', 'ward'].includes(names[0] as string)) {
    return refuse(`criteria takes exactly one parameter: ${type}?patient=<Patient id> or ${type}?ward=<ward id> (every patient on the ward).`);
  }
  const name = names[0] as 'patient' | 'ward';
  const id = (params.get(name) ?? '').replace(/^Patient\//, '');
  if (!UUID.test(id)) return refuse(`${name} must be an id (a UUID).`);
  return { ok: true, value: { resourceType: type, patientId: name === 'patient' ? id.toLowerCase() : null, wardId: name === 'ward' ? id.toLowerCase() : null } };
}

/** A stored Subscription as R4 answers it: status, error and channel as kept (header values hidden). */
export function subscriptionToFhir(stored: StoredSubscription): Subscription {
  return {
    resourceType: 'Subscription',
    id: stored.id,
    status: stored.status,
    reason: stored.reason ?? `Push ${stored.criteria.split('?')[0]} to the EPR`,
    criteria: stored.criteria,
    ...(stored.lastError ? { error: stored.lastError } : {}),
    channel: {
      type: 'rest-hook',
      endpoint: stored.endpoint,
      ...(stored.payload ? { payload: stored.payload } : {}),
      // Header values often carry the EPR's credentials: answered by name only.
      ...(stored.headers.length > 0 ? { header: stored.headers.map((h) => `${h.slice(0, h.indexOf(':'))}: ***`) } : {}),
    },
  };
}
