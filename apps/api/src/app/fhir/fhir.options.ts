import { type Clock, SYSTEM_CLOCK } from '../clock';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../notifications/delivery-schedule';

/** The rest-hook Subscription deliverer's settings. */
export interface FhirSubscriptionOptions {
  /** Start the deliverer with the app (default true); tests run passes themselves (FhirSubscriptionDeliverer.runDue). */
  readonly enabled?: boolean;
  /** Accept http:// endpoints (default false: https only). */
  readonly allowHttp?: boolean;
  readonly retry?: Partial<RetryPolicy>;
  /** For the backoff's jitter; tests pin it. */
  readonly random?: () => number;
  readonly pollIntervalMs?: number;
  readonly requestTimeoutMs?: number;
  /** Readings the deliverer reads from the stream per page (default 500). */
  readonly pageSize?: number;
}

/** The FHIR layer's settings (AppModuleOptions.fhir). */
export interface FhirOptions {
  /** Now, for `ap` date searches and the future-time check on imports; tests move it. */
  readonly clock?: Clock;
  /** How far past now an imported effectiveDateTime may lie (clock drift) before it is refused with 422. Default 5 minutes. */
  readonly maxFutureSkewMs?: number;
  /** Rest-hook Subscriptions: delivery clock is `clock`; retries, endpoints. */
  readonly subscriptions?: FhirSubscriptionOptions;
}

export const FHIR_OPTIONS = Symbol('homeward.fhir.options');

export interface ResolvedFhirOptions {
  readonly clock: Clock;
  readonly maxFutureSkewMs: number;
  readonly subscriptions: {
    readonly enabled: boolean;
    readonly allowHttp: boolean;
    readonly retry: RetryPolicy;
    readonly random: () => number;
    readonly pollIntervalMs: number;
    readonly requestTimeoutMs: number;
    readonly pageSize: number;
  };
}

export function resolveFhirOptions(options: FhirOptions = {}): ResolvedFhirOptions {
  const subscriptions = options.subscriptions ?? {};
  return {
    clock: options.clock ?? SYSTEM_CLOCK,
    maxFutureSkewMs: options.maxFutureSkewMs ?? 300_000,
    subscriptions: {
      enabled: subscriptions.enabled ?? true,
      allowHttp: subscriptions.allowHttp ?? false,
      retry: { ...DEFAULT_RETRY_POLICY, ...subscriptions.retry },
      random: subscriptions.random ?? Math.random,
      pollIntervalMs: subscriptions.pollIntervalMs ?? 5_000,
      requestTimeoutMs: subscriptions.requestTimeoutMs ?? 10_000,
      pageSize: subscriptions.pageSize ?? 500,
    },
  };
}
