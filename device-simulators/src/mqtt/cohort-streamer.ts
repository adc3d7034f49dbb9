import type { SimulatedMessage } from '../cohort/cohort.model';
import type { DeviceAck } from './simulated-mqtt-device';

/** Maps true (simulated) time to wall-clock time: `speed` simulated milliseconds per real one. */
export interface AcceleratedClock {
  /** Simulated time at `realStart`. */
  readonly simulatedStart: Date;
  readonly realStart: number;
  readonly speed: number;
}

export function simulatedNow(clock: AcceleratedClock, realNow: number): Date {
  return new Date(clock.simulatedStart.getTime() + (realNow - clock.realStart) * clock.speed);
}

export interface StreamProgress {
  readonly sent: number;
  readonly total: number;
  readonly stored: number;
  readonly duplicates: number;
  readonly rejected: number;
  readonly simulatedNow: Date;
}

/** The progress after one more message sent, counting what the gateway's ack says it did with it. */
export function countSent(progress: StreamProgress, ack: DeviceAck | undefined): StreamProgress {
  return {
    ...progress,
    sent: progress.sent + 1,
    stored: progress.stored + (ack?.stored ?? 0),
    duplicates: progress.duplicates + (ack?.duplicates ?? 0),
    rejected: progress.rejected + (ack?.rejected.length ?? 0),
  };
}

export interface StreamOptions {
  readonly messages: readonly SimulatedMessage[];
  readonly clock: AcceleratedClock;
  /** Publishes one message (real sending time given) and resolves with the gateway's answer. */
  readonly publish: (message: SimulatedMessage, sendingAt: Date) => Promise<DeviceAck | undefined>;
  readonly onProgress?: (progress: StreamProgress) => void;
  /** Stops the stream between messages. */
  readonly stopped?: () => boolean;
  readonly tickMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Sends each message when the accelerated clock passes its sending time. Messages due together
 * go out together (one per device at a time, so a device's messages stay in order).
 */
export async function streamMessages(options: StreamOptions): Promise<StreamProgress> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const pending = [...options.messages].sort((a, b) => a.sendAt.getTime() - b.sendAt.getTime());
  let progress: StreamProgress = { sent: 0, total: pending.length, stored: 0, duplicates: 0, rejected: 0, simulatedNow: simulatedNow(options.clock, now()) };
  let next = 0;
  while (next < pending.length && !(options.stopped?.() ?? false)) {
    const simNow = simulatedNow(options.clock, now());
    const due: SimulatedMessage[] = [];
    while (next < pending.length && (pending[next]?.sendAt.getTime() ?? Infinity) <= simNow.getTime()) due.push(pending[next++] as SimulatedMessage);
    if (due.length === 0) {
      await sleep(options.tickMs ?? 50);
      continue;
    }
    const byDevice = new Map<number, SimulatedMessage[]>();
    for (const message of due) byDevice.set(message.patientIndex, [...(byDevice.get(message.patientIndex) ?? []), message]);
    const answers = await Promise.all(
      [...byDevice.values()].map(async (queue) => {
        const acks: Array<DeviceAck | undefined> = [];
        for (const message of queue) acks.push(await options.publish(message, new Date(now())));
        return acks;
      }),
    );
    for (const ack of answers.flat()) progress = countSent(progress, ack);
    progress = { ...progress, simulatedNow: simNow };
    options.onProgress?.(progress);
  }
  return progress;
}
