import type { Reading } from '@homeward/domain';
import type { ExpectedReading } from '../model/care-plan.model';
import type { DeviceContact } from '../model/device-contact.model';

/** What the silence rules judge: the store's facts about one patient, and the clock. */
export interface SilenceInput {
  readonly patientId: string;
  /** The care plan's expected readings, or the pathway's schedule (mapCarePlan gives either). */
  readonly expected: readonly ExpectedReading[];
  /** The latest measured reading of each vital (any vital: other readings show the patient is measuring). */
  readonly latest: readonly Reading[];
  readonly devices: readonly DeviceContact[];
  /** Before the first reading, the clock starts at admission. */
  readonly admittedAt: Date;
  readonly now: Date;
  /** See isDeviceOffline (default DEVICE_OFFLINE_AFTER_MINUTES_DEFAULT). */
  readonly offlineAfterMinutes?: number;
}
