/**
 * Code systems, identifier systems and extensions the FHIR mapping uses. The standard ones are
 * spelled exactly as HL7 publishes them; the `urn:homeward:` ones are Homeward's own namespaces
 * for things no standard code covers (our reading status flags, the duplicate-detection key).
 */
export const SYSTEM = {
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  /** IEEE 11073-10101 nomenclature (MDC codes), as the HL7 PHD IG writes it. */
  mdc: 'urn:iso:std:iso:11073:10101',
  ucum: 'http://unitsofmeasure.org',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  dataAbsentReason: 'http://terminology.hl7.org/CodeSystem/data-absent-reason',
  /** ISO/IEEE 11073-10201 measurement status, the code system the PHD IG (STU 1) uses. */
  measurementStatus: 'http://hl7.org/fhir/uv/pocd/CodeSystem/measurement-status',
  nhsNumber: 'https://fhir.nhs.uk/Id/nhs-number',
  flagCategory: 'http://terminology.hl7.org/CodeSystem/flag-category',
  flagPriority: 'http://terminology.hl7.org/CodeSystem/flag-priority-code',
  /** The PHD duplicate-detection identifier: the reading's idempotency key. */
  readingKey: 'urn:homeward:reading-key',
  /** Homeward's reading status flags (READING_STATUS_FLAGS), carried so they round-trip. */
  readingStatus: 'urn:homeward:reading-status',
  deviceSerial: 'urn:homeward:device-serial',
  alertRule: 'urn:homeward:alert-rule',
  /** A NEWS2 parameter's score (0–3), on the component that carries the parameter's value. */
  news2ParameterScore: 'urn:homeward:news2-parameter-score',
  /** Coded errors of Homeward ({ code, message }) inside OperationOutcome.issue.details. */
  error: 'urn:homeward:error',
} as const;

export const EXTENSION = {
  /** HL7 core extension the PHD IG uses for the Personal Health Gateway that uploaded. */
  gatewayDevice: 'http://hl7.org/fhir/StructureDefinition/observation-gatewayDevice',
  flagPriority: 'http://hl7.org/fhir/StructureDefinition/flag-priority',
} as const;

/** FHIR R4 core vital-signs profiles, by what they constrain. */
export const PROFILE = {
  vitalSigns: 'http://hl7.org/fhir/StructureDefinition/vitalsigns',
  bloodPressure: 'http://hl7.org/fhir/StructureDefinition/bp',
  heartRate: 'http://hl7.org/fhir/StructureDefinition/heartrate',
  oxygenSaturation: 'http://hl7.org/fhir/StructureDefinition/oxygensat',
  respiratoryRate: 'http://hl7.org/fhir/StructureDefinition/resprate',
  bodyTemperature: 'http://hl7.org/fhir/StructureDefinition/bodytemp',
  bodyWeight: 'http://hl7.org/fhir/StructureDefinition/bodyweight',
} as const;

export const FHIR_JSON = 'application/fhir+json';
export const FHIR_VERSION = '4.0.1';
