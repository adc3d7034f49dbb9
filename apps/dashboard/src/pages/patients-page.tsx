import { api, describeError } from '../lib/api-client';
import type { PatientSummary } from '@homeward/contracts';
import { PATHWAY_NAMES } from '../lib/patient-worklist';
import { formatDateTime, formatNhsNumber } from '../lib/format';
import { useLoad } from '../lib/use-load';

/** The patients on my wards: the way to a patient's trends or to enter a reading for them. */
export function PatientsPage() {
  const patients = useLoad(() => api<PatientSummary[]>('GET', '/api/patients'), []);
  return (
    <>
      <h1 tabIndex={-1}>Patients</h1>
      {patients.error ? (
        <p class="field-error" role="alert">
          {describeError(patients.error)}
        </p>
      ) : null}
      {!patients.data ? (
        <p>Loading…</p>
      ) : patients.data.length === 0 ? (
        <p class="panel">No patients on your wards.</p>
      ) : (
        <div class="table-scroll" tabIndex={0} role="region" aria-label="Patients">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">NHS number</th>
                <th scope="col">Born</th>
                <th scope="col">Pathway</th>
                <th scope="col">Admitted</th>
                <th scope="col">
                  <span class="muted">Enter</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {patients.data.map((p) => (
                <tr key={p.id}>
                  <td>
                    <a href={`/patients/${p.id}`}>
                      {p.givenName} {p.familyName}
                    </a>
                  </td>
                  <td>{formatNhsNumber(p.nhsNumber)}</td>
                  <td>{p.dateOfBirth}</td>
                  <td>{p.admission ? PATHWAY_NAMES[p.admission.pathway] : 'not admitted'}</td>
                  <td>{formatDateTime(p.admission?.admittedAt ?? null)}</td>
                  <td>
                    <a href={`/patients/${p.id}/enter`} aria-label={`Enter a reading for ${p.givenName} ${p.familyName}`}>
                      Enter a reading
                    </a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
