/* eslint-disable @typescript-eslint/no-explicit-any -- the report is read back from plain JSON */

function table(rows: ReadonlyArray<readonly string[]>): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const line = (r: readonly string[]) => `| ${r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ')} |`;
  const [head, ...body] = rows;
  return [line(head ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

const n = (value: unknown, unit = ''): string => (typeof value === 'number' && Number.isFinite(value) ? `${value.toLocaleString('en-GB')}${unit}` : '—');
const verdict = (met: unknown) => (met === true ? 'met' : met === false ? 'NOT met' : '—');

/** One line on the run: when, what machine, how busy it was (other work skews every figure). */
export function describeRun(report: any): string {
  return `Homeward benchmarks (${report.mode} run, ${report.startedAt}): ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGiB} GiB, Node ${report.machine.node}; ${report.database}; load average ${report.machine.loadAverage1_5_15?.atStart?.[0] ?? '?'} at start, ${report.machine.loadAverage1_5_15?.atEnd?.[0] ?? '?'} at end`;
}

/** The benchmark report as Markdown-style tables (what `npm run bench` prints). */
export function renderReport(report: any): string {
  const out: string[] = [];
  out.push(`\n${describeRun(report)}\n`);
  out.push(figuresTable(report));
  out.push(...details(report));
  return `${out.join('\n')}\n`;
}

/** Every figure of the run beside its ceiling, with the ratio, the target and the verdict (the README's table too). */
export function figuresTable(report: any): string {
  const r = report.results ?? {};
  const rows: string[][] = [['benchmark', 'measured', 'beside it', 'target', 'verdict']];
  if (r.ingest) {
    const i = r.ingest;
    rows.push([
      `ingest (${i.clients} MQTT clients, QoS 1, ${i.durationSeconds} s)`,
      `Homeward ${n(i.homeward.readingsPerSecond)} readings/s`,
      `Mosquitto ${n(i.mosquitto?.readingsPerSecond)}/s (×${n(i.ratios.homewardToMosquitto)}); COPY ${n(i.copy.rowsPerSecond)} rows/s (×${n(i.ratios.homewardToCopy)})`,
      i.target,
      `${verdict(i.met)} (×${n(i.ratios.homewardToLowerCeiling)} of the lower)`,
    ]);
  }
  if (r.ingest?.homewardWithoutRules) {
    const i = r.ingest;
    rows.push([
      'ingest, `homeward start --no-rules` (same load)',
      `Homeward ${n(i.homewardWithoutRules.readingsPerSecond)} readings/s`,
      `rules engine not in the process (it would run in \`homeward rules-worker\`)`,
      '(for comparison)',
      '—',
    ]);
  }
  if (r.ingest?.hubBatches) {
    const b = r.ingest.hubBatches;
    rows.push([
      `ingest, hubs sending ${b.readingsPerMessage} readings per message (same clients)`,
      `Homeward ${n(b.homeward.readingsPerSecond)} readings/s (${n(b.homeward.messagesPerSecond)} messages/s)`,
      `Mosquitto ${n(b.mosquitto?.readingsPerSecond)} readings/s (×${n(b.homewardToMosquitto)}); ${n(b.cpuMicrosecondsPerReading, ' µs')} of Homeward CPU per reading`,
      '≥ 0.5 × Mosquitto',
      b.homewardToMosquitto === null ? '—' : verdict(b.homewardToMosquitto >= 0.5),
    ]);
  }
  if (r.connections) {
    const c = r.connections;
    rows.push([
      `idle hubs (${n(c.hubsConnected)} connected${c.scaledDown ? `, SCALED DOWN from ${n(c.hubsAsked)} by the time budget` : ''}${c.failedConnects ? `, ${n(c.failedConnects)} logins failed` : ''})`,
      `${n(c.perThousandHubsMiB)} MiB per 1,000 (slope); RSS ${n(c.rssAtMaxMiB)} MiB at ${n(c.hubsConnected)}`,
      `baseline ${n(c.baselineRssMiB)} MiB; connect p50 ${n(c.connectMs.p50)} ms, p95 ${n(c.connectMs.p95)} ms, ${n(c.connectsPerSecond)} connects/s, 16 at once`,
      c.target,
      verdict(c.met),
    ]);
  }
  if (r.connections?.reconnectStorm) {
    const s = r.connections.reconnectStorm;
    rows.push([
      `reconnect storm (${n(s.homeward.hubs)} hubs at once, credential cache warm)`,
      `Homeward ${n(s.homeward.seconds, ' s')} (${n(s.homeward.connected)} connected, ${n(s.homeward.failed)} failed; CONNACK p50 ${n(s.homeward.connectMs.p50)} ms, p99 ${n(s.homeward.connectMs.p99)} ms)`,
      `Mosquitto ${n(s.mosquitto?.seconds, ' s')} (×${n(s.homewardToMosquittoTime)} its time)`,
      s.target,
      verdict(s.met),
    ]);
  }
  if (r.alerts) {
    for (const a of r.alerts.phases ?? []) {
      rows.push([
        `alert latency at ${a.label} (${n(a.received)}/${n(a.probes)} probes)`,
        `p50 ${n(a.latencyMs.p50)} ms, p95 ${n(a.latencyMs.p95)} ms, p99 ${n(a.latencyMs.p99)} ms`,
        `background ${n(a.backgroundRatePerSecond)} readings/s; PUBACK p50 ${n(a.pubackMs.p50)} ms`,
        r.alerts.target,
        verdict(a.met),
      ]);
    }
  }
  if (r.alerts?.duringBackfill) {
    const a = r.alerts.duringBackfill;
    const light = (r.alerts.phases ?? []).at(-1);
    rows.push([
      `alert latency during ${a.label} (${n(a.received)}/${n(a.probes)} probes)`,
      `p50 ${n(a.latencyMs.p50)} ms, p95 ${n(a.latencyMs.p95)} ms, p99 ${n(a.latencyMs.p99)} ms`,
      `${light ? `at ${light.label}: p99 ${n(light.latencyMs.p99)} ms; ` : ''}rules backlog ${n(a.backfill?.rulesBacklogAtStart)} at start, ${n(a.rulesBacklogAfter)} at the end`,
      `p99 < ${n(a.targetMs)} ms`,
      verdict(a.met),
    ]);
  }
  if (r.trends) {
    for (const e of [r.trends.plain, r.trends.timescale]) {
      if (!e) continue;
      rows.push([
        `90-day trend, ${e.engine}`,
        `p50 ${n(e.latencyMs.p50)} ms, p95 ${n(e.latencyMs.p95)} ms`,
        `${n(e.patientsLoaded)} patients × 1 year = ${n(e.rows)} rows${e.scaledDown ? ` (SCALED DOWN from ${n(e.patientsAsked)})` : ''}; load ${n(e.loadSeconds)} s` +
          `; ${n(e.storage.bytesPerReading)} bytes per reading on disk` +
          (e.storage.compressed ? ` (${n(e.storage.compressed.bytesPerReading)} compressed)` : ''),
        r.trends.target,
        verdict(e.met),
      ]);
    }
  }
  if (r.fuzz) {
    const f = r.fuzz;
    rows.push([
      `device message fuzz (${n(f.cases)} cases, seed ${f.seed})`,
      `${n(f.problemCount)} broken invariants; ${n(f.casesPerSecond)} cases/s`,
      `per case p50 ${n(f.perCaseMs?.p50)} ms, p99 ${n(f.perCaseMs?.p99)} ms; acks ${Object.entries(f.acks ?? {}).map(([k, v]) => `${k} ${n(v)}`).join(', ')}`,
      f.target,
      verdict(f.met),
    ]);
  }
  if (r.sms) {
    const m = r.sms;
    rows.push([
      `SMS over SMPP (${n(m.texts)} texts, 20 in flight)`,
      `${n(m.textsPerSecond)} texts/s stored and answered; answer p50 ${n(m.answerMs?.p50)} ms, p95 ${n(m.answerMs?.p95)} ms`,
      `replies ${n(m.replyRatePerSecond)}/s (limit ${n(m.replyRateLimit)}/s)`,
      m.target,
      verdict(m.met),
      ]);
    }
  if (r.worklist) {
    const w = r.worklist;
    rows.push([
      `worklist API, ${n(w.patients)} patients / ${n(w.alerts)} alerts over HTTP`,
      `first page p50 ${n(w.firstPageMs.p50)} ms, p95 ${n(w.firstPageMs.p95)} ms; filtered 200-row page p95 ${n(w.filteredMs.p95)} ms`,
      `GET /api/me p95 ${n(w.meMs?.p95)} ms; ${n(w.queries)} queries each`,
      w.target,
      verdict(w.met),
    ]);
  }
  if (r.worklistBrowser) {
    const w = r.worklistBrowser;
    rows.push([
      `worklist in Chromium, ${n(w.patients)} patients / ${n(w.alerts)} alerts (${n(w.repetitions)} runs)`,
      `first row after navigation p50 ${n(w.firstRowMs.p50)} ms, p95 ${n(w.firstRowMs.p95)} ms; severity chip p50 ${n(w.severityFilterMs.p50)} ms, p95 ${n(w.severityFilterMs.p95)} ms; search p50 ${n(w.searchFilterMs.p50)} ms, p95 ${n(w.searchFilterMs.p95)} ms`,
      `${w.browser}; load average ${n(w.loadAverage1?.atStart)} at start, ${n(w.loadAverage1?.atEnd)} at end`,
      w.target,
      verdict(w.met),
    ]);
  }
  if (r.demoDetection) {
    const d = r.demoDetection;
    const c = d.combined;
    const group = (g: string) => {
      const s = (c.scenarios ?? []).filter((x: any) => x.group === g);
      return `${s.reduce((t: number, x: any) => t + x.detected, 0)}/${s.reduce((t: number, x: any) => t + x.events, 0)}`;
    };
    rows.push([
      `demo detection (seeds ${d.seeds.join(', ')}; ${n(d.patients)} patients × ${n(d.days)} days each)`,
      `deteriorations ${group('deterioration')}, silences ${group('silence')}, technical ${group('technical')}; ` +
        (c.scenarios ?? []).map((x: any) => `${x.scenario} ${x.detected}/${x.events}${x.medianDelayHours === null ? '' : ` (median ${n(Math.round(x.medianDelayHours * 10) / 10)} h)`}`).join(', '),
      `false clinical ${n(Math.round(c.falseClinicalPerPatientDay * 1000) / 1000)} per patient-day (${n(c.unexplained.clinical)} over ${n(c.patientDays)}); unexplained silence ${n(c.unexplained.silence)}, technical ${n(c.unexplained.technical)}`,
      d.target,
      verdict(d.met),
    ]);
  }
  if (r.fhirTransaction) {
    const f = r.fhirTransaction;
    rows.push([
      `FHIR transaction (${n(f.entries)} Observations)`,
      `${n(f.seconds)} s, one database transaction; ${n(f.readingsStored)} readings stored in the run`,
      `again as duplicates ${n(f.duplicateSeconds)} s; as a batch of new ones ${n(f.batchSeconds)} s`,
      f.target,
      verdict(f.met),
    ]);
  }
  if (r.backtest) {
    const b = r.backtest;
    rows.push([
      `backtest replay (${n(b.patients)} patients × ${n(b.days)} days, ${n(b.readings)} readings, two plans)`,
      `${n(b.replaySeconds)} s (${n(b.replayCpuSeconds)} CPU s on ${n(b.threads)} threads); findings ${n(b.findings.current)} stored plans, ${n(b.findings.proposed)} proposed`,
      'pure replay through evaluatePatientRules on worker threads; database read not counted',
      b.target,
      verdict(b.met),
    ]);
  }
  return table(rows);
}

/** CPU, stored counts, the rules engine's drain, profiles and failures: what follows the table. */
function details(report: any): string[] {
  const r = report.results ?? {};
  const out: string[] = [];
  if (r.ingest) {
    const cpu = (shares: Record<string, number> | undefined) => Object.entries(shares ?? {}).map(([k, v]) => `${k} ${v} %`).join(', ');
    out.push(
      `\nCPU during the ingest windows (100 % = one core of ${report.machine.cpus}): Homeward run: ${cpu(r.ingest.homeward.cpuPercentOfOneCore)}; ` +
        `--no-rules run: ${cpu(r.ingest.homewardWithoutRules?.cpuPercentOfOneCore)}; Mosquitto run: ${cpu(r.ingest.mosquitto?.cpuPercentOfOneCore)}`,
    );
  }
  if (r.ingest?.cpuMicrosecondsPerReading) {
    const c = r.ingest.cpuMicrosecondsPerReading;
    out.push(`CPU per reading acknowledged (the broker process): Homeward ${n(c.homeward, ' µs')}, --no-rules ${n(c.homewardWithoutRules, ' µs')}, Mosquitto ${n(c.mosquitto, ' µs')}.`);
  }
  const brokerOnly = r.ingest?.brokerOnly;
  if (brokerOnly && (brokerOnly.answerAtOnce || brokerOnly.parsing)) {
    out.push(
      `Homeward's MQTT layer with storage bypassed (same load generator): answering at once ${n(brokerOnly.answerAtOnce?.readingsPerSecond, ' readings/s')} (×${n(brokerOnly.answerAtOnceToMosquitto)} of Mosquitto), after parse and validation ${n(brokerOnly.parsing?.readingsPerSecond, ' readings/s')}.`,
    );
  }
  if (r.ingest?.cpuMicrosecondsPerReadingByProcess) {
    const runs = Object.entries(r.ingest.cpuMicrosecondsPerReadingByProcess as Record<string, Record<string, number | null>>).map(([run, groups]) => `${run}: ${Object.entries(groups).map(([group, us]) => `${group} ${n(us, ' µs')}`).join(', ')}`);
    out.push(`CPU per reading acknowledged, every process: ${runs.join('; ')}.`);
  }
  if (r.ingest?.storedInRun) {
    out.push(`Homeward run: ${n(r.ingest.storedInRun.readings)} readings stored and ${n(r.ingest.storedInRun.rejectedMessages)} messages refused (warm-up included).`);
  }
  if (r.ingest?.rulesEngine) {
    const e = r.ingest.rulesEngine;
    const kept = e.evaluatedByStopPercent === undefined || e.evaluatedByStopPercent === null ? '' : ` (${n(e.evaluatedByStopPercent)}% of the run's readings evaluated by then)`;
    out.push(`Rules engine (rules workers): ${n(e.backlogAtStop)} readings not yet evaluated when the load stopped${kept}; ${e.drained ? 'evaluated' : 'NOT all evaluated'} within ${n(e.drainSeconds)} s (${n(e.evaluatedPerSecondDuringDrain)} readings/s with no ingest load)`);
  }
  for (const [profile, run] of [[r.ingest?.profile, 'Homeward'], [r.ingest?.profileWithoutRules, '--no-rules Homeward']] as const) {
    if (!profile) continue;
    out.push(`\nWhere the ${run} process spent its CPU during the measured ingest window (${n(profile.samples)} busy samples, node --cpu-prof):`);
    out.push(table([['area', 'share'], ...profile.byArea.map((a: any) => [a.area, `${a.percent} %`])]));
    out.push(table([['function (self time)', 'where', 'share'], ...profile.topFunctions.slice(0, 10).map((f: any) => [f.fn, f.where, `${f.percent} %`])]));
  }
  for (const [name, message] of Object.entries(report.failures ?? {})) out.push(`\n${name} FAILED: ${String(message).split('\n')[0]}`);
  return out;
}
