import { hostname } from 'node:os';
import { SystemConditionWatch } from '@homeward/api';
import type { HomewardConfig } from '@homeward/config';
import type { Gateway } from '@homeward/gateway';
import type { Storage } from '@homeward/storage';

export const BROKER_CHECK_MS = 5_000;

/**
 * A `broker-unavailable` system alert for this gateway while its broker side is down (embedded
 * listeners not listening, or the external broker disconnected) for two checks in a row; resolved
 * by the first check that finds it up, by this process or the next one on this host and port.
 */
export function brokerAvailabilityWatch(storage: Storage, gateway: Pick<Gateway, 'brokerProblem'>, mqtt: Pick<HomewardConfig['mqtt'], 'mode' | 'port'>, warn: (message: string) => void): SystemConditionWatch {
  const source = `${hostname()}:${mqtt.mode === 'embedded' ? `mqtt ${mqtt.port}` : 'external broker'}`;
  return new SystemConditionWatch(storage.systemAlerts, {
    kind: 'broker-unavailable',
    source,
    problem: () => {
      const problem = gateway.brokerProblem();
      return (
        problem &&
        `Devices cannot send readings to Homeward through gateway ${source}: ${problem}. Readings wait on the hubs and apps and arrive once it is back; alerts are late until then. Tell the on-call engineer.`
      );
    },
    onError: (error) => warn(`could not check the broker for a system alert: ${error instanceof Error ? error.message : String(error)}`),
  });
}
