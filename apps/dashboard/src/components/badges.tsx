import type { AlertSeverityBand, News2Band } from '@homeward/contracts';
import { BAND_NAMES, TEXT_ON_COLOUR, bandColour } from '../lib/colours';

export function SeverityBadge({ severity }: { severity: AlertSeverityBand | News2Band }) {
  return (
    <span class="badge" style={{ background: bandColour(severity), color: TEXT_ON_COLOUR }}>
      {BAND_NAMES[severity]}
    </span>
  );
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  const text = error instanceof Error ? error.message : String(error);
  return (
    <p class="field-error" role="alert">
      {text}
    </p>
  );
}
