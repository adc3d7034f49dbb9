import { HomewardMetrics } from './metrics';

/** The value of one sample line of the text exposition, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('HomewardMetrics', () => {
  it('counts, observes, and reads state from its sources at scrape time', async () => {
    const metrics = new HomewardMetrics({ processMetrics: false });
    let connections = 3;
    metrics.watch({
      mqttConnections: () => connections,
      brokerLinkUp: () => false,
      dbPool: () => ({ total: 4, idle: 1, waiting: 2 }),
      alertsByState: async () => ({ open: 5, resolved: 7 }),
      rulesLag: async () => [{ cursor: 'rules-engine', seconds: 1.5 }],
    });
    metrics.readingsStored.inc({ source: 'mqtt' }, 2);
    metrics.rejections.inc({ transport: 'mqtt', code: 'reading.implausible' });
    metrics.ingestLatency.observe({ transport: 'mqtt' }, 0.004);

    const first = await metrics.exposition();
    expect(first.contentType).toMatch(/^text\/plain/);
    let body = first.body;
    expect(sample(body, 'homeward_mqtt_connections')).toBe(3);
    expect(sample(body, 'homeward_mqtt_broker_up')).toBe(0);
    expect(sample(body, 'homeward_readings_stored_total{source="mqtt"}')).toBe(2);
    expect(sample(body, 'homeward_ingest_rejections_total{transport="mqtt",code="reading.implausible"}')).toBe(1);
    expect(sample(body, 'homeward_ingest_latency_seconds_bucket{le="0.005",transport="mqtt"}')).toBe(1);
    expect(sample(body, 'homeward_ingest_latency_seconds_bucket{le="0.002",transport="mqtt"}')).toBe(0);
    expect(sample(body, 'homeward_db_pool_connections{state="waiting"}')).toBe(2);
    expect(sample(body, 'homeward_alerts{state="open"}')).toBe(5);
    expect(sample(body, 'homeward_rules_engine_lag_seconds{cursor="rules-engine"}')).toBe(1.5);

    connections = 1;
    ({ body } = await metrics.exposition());
    expect(sample(body, 'homeward_mqtt_connections')).toBe(1);
  });

  it('reports a state only once a process watches its source (a rules worker has no broker to call down)', async () => {
    const metrics = new HomewardMetrics({ processMetrics: false });
    expect((await metrics.exposition()).body).not.toMatch(/homeward_mqtt_broker_up|homeward_mqtt_connections|homeward_db_pool/);
    metrics.watch({ dbPool: () => ({ total: 1, idle: 1, waiting: 0 }) });
    metrics.watch({ dbPool: () => ({ total: 2, idle: 0, waiting: 0 }) });
    const { body } = await metrics.exposition();
    expect(sample(body, 'homeward_db_pool_connections{state="total"}')).toBe(2);
    expect(body).not.toMatch(/homeward_mqtt_broker_up/);
  });

  it('still answers when a database source fails, and counts the failure', async () => {
    const metrics = new HomewardMetrics({ processMetrics: false });
    metrics.watch({ alertsByState: () => Promise.reject(new Error('connection refused')) });
    await metrics.exposition();
    // The failure counter is read in the same scrape as the failing source: it shows from the next one.
    const { body } = await metrics.exposition();
    expect(body).not.toMatch(/^homeward_alerts\{/m);
    expect(sample(body, 'homeward_metrics_source_failures_total{source="alerts"}')).toBeGreaterThanOrEqual(1);
  });

  it('answers a scrape whose database does not: the last value, its age, one read in flight, a failure counted', async () => {
    let nowMs = 1_000_000;
    const metrics = new HomewardMetrics({ processMetrics: false, now: () => nowMs, sourceTimeoutMs: 20 });
    let reads = 0;
    let answer: (() => void) | undefined;
    let frozen = false;
    metrics.watch({
      alertsByState: () => {
        reads++;
        if (!frozen) return Promise.resolve({ open: reads });
        return new Promise((resolve) => (answer = () => resolve({ open: 40 })));
      },
    });
    let { body } = await metrics.exposition();
    expect(sample(body, 'homeward_alerts{state="open"}')).toBe(1);
    expect(sample(body, 'homeward_metrics_source_age_seconds{source="alerts"}')).toBe(0);

    frozen = true;
    nowMs += 15_000;
    ({ body } = await metrics.exposition()); // the read never answers: the scrape gives up after 20 ms
    expect(sample(body, 'homeward_alerts{state="open"}')).toBe(1);
    expect(sample(body, 'homeward_metrics_source_age_seconds{source="alerts"}')).toBe(15);
    nowMs += 5_000;
    ({ body } = await metrics.exposition());
    expect(sample(body, 'homeward_metrics_source_age_seconds{source="alerts"}')).toBe(20);
    expect(sample(body, 'homeward_metrics_source_failures_total{source="alerts"}')).toBe(1); // counted from the scrape before
    expect(reads).toBe(2); // the frozen read is still the one in flight: scrapes do not pile queries up

    answer!(); // the database answers at last: the next scrape shows it, fresh
    await Promise.resolve();
    nowMs += 1_000;
    frozen = false;
    ({ body } = await metrics.exposition());
    expect(sample(body, 'homeward_alerts{state="open"}')).toBeGreaterThanOrEqual(3);
    expect(sample(body, 'homeward_metrics_source_age_seconds{source="alerts"}')).toBe(0);
  });

  it('keeps the last value with its age when the source fails outright', async () => {
    let nowMs = 0;
    let fail = false;
    const metrics = new HomewardMetrics({ processMetrics: false, now: () => nowMs });
    metrics.watch({ rulesLag: () => (fail ? Promise.reject(new Error('connection refused')) : Promise.resolve([{ cursor: 'rules-engine', seconds: 2 }])) });
    await metrics.exposition();
    fail = true;
    nowMs = 7_500;
    const { body } = await metrics.exposition();
    expect(sample(body, 'homeward_rules_engine_lag_seconds{cursor="rules-engine"}')).toBe(2);
    expect(sample(body, 'homeward_metrics_source_age_seconds{source="rules-lag"}')).toBe(7.5);
  });
});
