import type { StoredReading } from '@homeward/contracts';
import { formatDateTime, formatValue } from '../lib/format';
import { vitalName } from '../lib/vitals';

export function ReadingsTable({ readings, caption, limit = 500 }: { readings: readonly StoredReading[]; caption: string; limit?: number }) {
  if (readings.length === 0) return <p class="muted">No readings.</p>;
  const shown = [...readings].sort((a, b) => Date.parse(b.measuredAt) - Date.parse(a.measuredAt)).slice(0, limit);
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption class="muted">
          {caption}
          {readings.length > limit ? ` (newest ${limit} of ${readings.length})` : ''}
        </caption>
        <thead>
          <tr>
            <th scope="col">Measured</th>
            <th scope="col">Vital</th>
            <th scope="col">Value</th>
            <th scope="col">Source</th>
            <th scope="col">Flags</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.id} data-reading-id={r.id}>
              <td>{formatDateTime(r.measuredAt)}</td>
              <td>{vitalName(r.vital)}</td>
              <td>{formatValue(r.value, r.unit)}</td>
              <td>{r.source}</td>
              <td>{r.status.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
