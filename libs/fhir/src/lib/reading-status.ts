import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import { READING_STATUS_FLAGS, type ReadingStatusFlag } from '@homeward/domain';
import { SYSTEM } from './systems';

/**
 * Device-reported measurement status → Observation.interpretation (HL7 PHD IG): the nearest
 * ISO/IEEE 11073-10201 measurement-status code where one exists, plus Homeward's own flag so
 * nothing is lost on the way back. A value the device marked invalid never becomes a reading
 * (it is refused at ingest), so no stored reading needs dataAbsentReason; a BP panel with a
 * missing component does (see observation.mapper).
 */
const MEASUREMENT_STATUS: Partial<Record<ReadingStatusFlag, { code: string; display: string }>> = {
  questionable: { code: 'questionable', display: 'Questionable' },
  'signal-artefact': { code: 'questionable', display: 'Questionable' },
  'body-movement': { code: 'questionable', display: 'Questionable' },
  'cuff-fit-loose': { code: 'questionable', display: 'Questionable' },
  'improper-position': { code: 'questionable', display: 'Questionable' },
  'low-perfusion': { code: 'questionable', display: 'Questionable' },
  'pulse-rate-out-of-range': { code: 'questionable', display: 'Questionable' },
  'early-estimate': { code: 'early-indication', display: 'Early indication' },
  'calibration-ongoing': { code: 'calibration-ongoing', display: 'Calibration ongoing' },
};

const FLAG_TEXT: Readonly<Record<ReadingStatusFlag, string>> = {
  'clock-corrected': 'measurement time corrected for the device clock offset',
  'clock-unset': 'device sent no usable time; measured at receipt',
  'clock-skewed': 'device clock was off by more than the allowed bound',
  'future-dated': 'device time lay in the future; placed at receipt',
  'body-movement': 'body movement during measurement',
  'cuff-fit-loose': 'cuff fit too loose',
  'irregular-pulse': 'irregular pulse detected',
  'pulse-rate-out-of-range': 'pulse rate out of range',
  'improper-position': 'improper measurement position',
  'early-estimate': 'early estimate',
  questionable: 'questionable measurement',
  'low-perfusion': 'low perfusion',
  'signal-artefact': 'signal artefact',
  'calibration-ongoing': 'calibration ongoing',
  'entered-by-carer': 'entered by a carer',
};

/** Flags about the measurement itself (interpretation), as opposed to time and provenance (meta.tag). */
const CLOCK_AND_PROVENANCE: readonly ReadingStatusFlag[] = ['clock-corrected', 'clock-unset', 'clock-skewed', 'future-dated', 'entered-by-carer'];

export function isMeasurementFlag(flag: ReadingStatusFlag): boolean {
  return !CLOCK_AND_PROVENANCE.includes(flag);
}

export function flagInterpretation(flag: ReadingStatusFlag): CodeableConcept {
  const standard = MEASUREMENT_STATUS[flag];
  const coding: Coding[] = [];
  if (standard) coding.push({ system: SYSTEM.measurementStatus, code: standard.code, display: standard.display });
  coding.push({ system: SYSTEM.readingStatus, code: flag, display: FLAG_TEXT[flag] });
  return { coding, text: FLAG_TEXT[flag] };
}

export function flagTag(flag: ReadingStatusFlag): Coding {
  return { system: SYSTEM.readingStatus, code: flag, display: FLAG_TEXT[flag] };
}

/**
 * Back from interpretation: Homeward's own flag when present, else the measurement-status code
 * read as the nearest flag. Clock flags are not taken from input: the ingest pipeline sets them.
 */
export function flagsOfInterpretation(concepts: readonly CodeableConcept[] | undefined): ReadingStatusFlag[] {
  const flags = new Set<ReadingStatusFlag>();
  for (const concept of concepts ?? []) {
    if (!Array.isArray(concept.coding)) continue;
    const coding = concept.coding.filter((c): c is Coding => typeof c === 'object' && c !== null);
    const own = coding.find((c) => c.system === SYSTEM.readingStatus && (READING_STATUS_FLAGS as readonly string[]).includes(c.code ?? ''));
    if (own) {
      const flag = own.code as ReadingStatusFlag;
      if (isMeasurementFlag(flag)) flags.add(flag);
      continue;
    }
    const standard = coding.find((c) => c.system === SYSTEM.measurementStatus)?.code;
    if (standard === 'questionable') flags.add('questionable');
    if (standard === 'early-indication') flags.add('early-estimate');
    if (standard === 'calibration-ongoing') flags.add('calibration-ongoing');
  }
  return [...flags];
}

/** Provenance that travels as meta.tag and comes back (clock tags are recomputed on import). */
export function flagsOfTags(tags: readonly Coding[] | undefined): ReadingStatusFlag[] {
  return Array.isArray(tags) && tags.some((t) => t?.system === SYSTEM.readingStatus && t.code === 'entered-by-carer') ? ['entered-by-carer'] : [];
}
