import { type Clock, SYSTEM_CLOCK } from '../rules-engine/clock';

/** The FHIR layer's settings (AppModuleOptions.fhir). */
export interface FhirOptions {
  /** Now, for `ap` date searches and the future-time check on imports; tests move it. */
  readonly clock?: Clock;
  /** How far past now an imported effectiveDateTime may lie (clock drift) before it is refused with 422. Default 5 minutes. */
  readonly maxFutureSkewMs?: number;
}

export const FHIR_OPTIONS = Symbol('homeward.fhir.options');

export interface ResolvedFhirOptions {
  readonly clock: Clock;
  readonly maxFutureSkewMs: number;
}

export function resolveFhirOptions(options: FhirOptions = {}): ResolvedFhirOptions {
  return { clock: options.clock ?? SYSTEM_CLOCK, maxFutureSkewMs: options.maxFutureSkewMs ?? 300_000 };
}
