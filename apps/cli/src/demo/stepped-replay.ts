import type { RulesEngineService } from '@homeward/api';
import { type SimulatedMessage, type SimulatedMqttDevice, type StreamProgress, countSent } from '@homeward/device-simulators';
import type { Storage } from '@homeward/storage';
import type { ReplayClock } from './replay-clock';

/** A scripted hub outage: the hub's connection drops at `from` (its last will) and it is back at `to`. */
export interface ReplayOutage {
  readonly patientIndex: number;
  readonly from: number;
  readonly to: number;
}

/** What the replay has done so far: the same figures the simulators' own streamer reports. */
export type ReplayProgress = StreamProgress;

export interface SteppedReplayOptions {
  /** The clock the gateway stamps by and the engine judges by: set to each step's moment. */
  readonly clock: ReplayClock;
  readonly start: Date;
  /** The replayed timeline ends here (the present when the demo started): no message or outage at or after it. */
  readonly end: Date;
  readonly messages: readonly SimulatedMessage[];
  readonly outages: readonly ReplayOutage[];
  /** Per cohort patient: their connected simulated device and its id. */
  readonly devices: ReadonlyArray<{ readonly device: SimulatedMqttDevice; readonly deviceId: string; readonly patientId: string } | undefined>;
  readonly gateway: { flushActivity(): Promise<void> };
  /** Not started: the replay drives it (drain after each message, runTimers at each tick). */
  readonly engine: Pick<RulesEngineService, 'drain' | 'runTimers' | 'consumerName'>;
  readonly storage: Pick<Storage, 'partitions' | 'deviceState'>;
  /** The timer pass runs every this much simulated time, from the start. */
  readonly timerEveryMs: number;
  /** Simulated milliseconds per real one: the pace (a step due later in real time is waited for). */
  readonly speed: number;
  readonly stopped: () => boolean;
  readonly onProgress?: (progress: ReplayProgress) => void;
  readonly realNow?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

type Step =
  | { readonly at: number; readonly kind: 'drop' | 'reconnect'; readonly patientIndex: number }
  | { readonly at: number; readonly kind: 'message'; readonly message: SimulatedMessage }
  | { readonly at: number; readonly kind: 'tick' };

/** Same moment: connection changes first, then messages (in send order), then the timer pass (as rule-backtest-ticks.spec.ts orders them). */
const RANK = { drop: 0, reconnect: 0, message: 1, tick: 2 } as const;
const END_OF_TIME = new Date('9999-12-31T00:00:00Z');

/**
 * The demo's replay, deterministic enough to be reproduced exactly by a backtest: simulated time
 * advances in steps, and everything a step does is finished before the clock moves on. Each step
 * sets the one clock (gateway stamps and engine alike) to its moment, then:
 * - a message: published over MQTT, its PUBACK and ack awaited (committed), the gateway's contact
 *   record flushed, and the rules engine drained until its cursors have passed every committed
 *   reading (the engine judges the readings at their receipt, as the backtest's arrivals do);
 * - a timer tick (every `timerEveryMs` simulated): every connected device pings (MQTT keepalive,
 *   as a quiet connection does), contact is flushed, and the engine's timer pass runs at the tick,
 *   which it records (rules_timer_ticks) for the backtest;
 * - a scripted outage: the hub's connection drops (its last will, stamped at the step, awaited in
 *   the store), or it reconnects and says "online" before its backlog goes.
 * Steps are paced to `speed` in real time; a step that is late goes at once. After the last message
 * the ticks go on until simulated time has caught up with the real clock (which moved on while the
 * replay ran); a last step there has every device ping, and its moment (`reachedPresentAt`) ends
 * the replayed period: a backtest of it runs to there. The caller then hands over to the real clock.
 */
export async function steppedReplay(options: SteppedReplayOptions): Promise<ReplayProgress & { readonly reachedPresentAt: Date }> {
  const realNow = options.realNow ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const start = options.start.getTime();
  const end = options.end.getTime();
  const scheduled: Step[] = [
    ...options.messages.filter((m) => m.sendAt.getTime() < end).map((message): Step => ({ at: message.sendAt.getTime(), kind: 'message', message })),
    ...options.outages.flatMap((o): Step[] => [
      ...(o.from < end ? [{ at: o.from, kind: 'drop' as const, patientIndex: o.patientIndex }] : []),
      ...(o.to < end ? [{ at: o.to, kind: 'reconnect' as const, patientIndex: o.patientIndex }] : []),
    ]),
  ];
  // Stable: messages due together keep their send order.
  scheduled.sort((a, b) => a.at - b.at || RANK[a.kind] - RANK[b.kind]);

  const total = scheduled.filter((s) => s.kind === 'message').length;
  let progress: ReplayProgress = { sent: 0, total, stored: 0, duplicates: 0, rejected: 0, simulatedNow: options.start };
  const realStart = realNow();
  const paced = async (at: number) => {
    // This step's moment in real time (a backlog of steps goes at once).
    for (let wait = realStart + (at - start) / options.speed - realNow(); wait > 0 && !options.stopped(); wait = realStart + (at - start) / options.speed - realNow()) {
      await sleep(Math.min(wait, 100));
    }
  };
  const pingAll = async () => {
    await Promise.all(options.devices.map((d) => d?.device.ping()));
    await options.gateway.flushActivity();
  };
  let next = 0;
  let tick = start;
  // The timer ticks go on after the last message until the replay has caught up with the real clock
  // (which moved on while it ran): the present is where it ends.
  while (!options.stopped()) {
    const due = scheduled[next];
    const tickDue = tick < end || tick <= realNow();
    if (!due && !tickDue) break;
    const step: Step = due && (!tickDue || due.at < tick || (due.at === tick && RANK[due.kind] < RANK.tick)) ? due : { at: tick, kind: 'tick' };
    if (step === due) next++;
    else tick += options.timerEveryMs;
    await paced(step.at);
    if (options.stopped()) break;
    const at = new Date(step.at);
    options.clock.set(at);
    if (step.kind === 'message') {
      const device = options.devices[step.message.patientIndex]?.device;
      const ack = device ? await device.publish(step.message.payload(at)) : undefined;
      await options.gateway.flushActivity();
      await catchUp(options);
      progress = countSent(progress, ack);
    } else if (step.kind === 'tick') {
      await pingAll();
      await catchUp(options);
      await options.engine.runTimers();
    } else {
      const connected = options.devices[step.patientIndex];
      if (connected && step.kind === 'drop') {
        connected.device.dropConnection();
        await lastWillRecorded(options, connected, at);
      } else if (connected) {
        await connected.device.reconnect();
      }
      await options.gateway.flushActivity();
    }
    progress = { ...progress, simulatedNow: at };
    options.onProgress?.(progress);
  }
  // In the present: the devices are heard from now, so the engine running on the real clock from
  // here finds them in touch (their keepalive pings then go on in real time).
  const reachedPresentAt = new Date(Math.max(realNow(), progress.simulatedNow.getTime()));
  if (!options.stopped()) {
    options.clock.set(reachedPresentAt);
    await pingAll();
  }
  return { ...progress, reachedPresentAt };
}

/**
 * Drains the engine until its cursors have passed every committed reading, in both lanes. A page
 * can be held back behind another open transaction (on a shared server, another database's:
 * transaction ids are cluster-wide); then it looks again shortly.
 */
async function catchUp(options: Pick<SteppedReplayOptions, 'engine' | 'storage' | 'sleep'>): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    await options.engine.drain();
    const waiting = (await options.storage.partitions.unevaluated(options.engine.consumerName, undefined, END_OF_TIME)).reduce((n, p) => n + p.count, 0);
    if (waiting === 0) return;
    if (attempt >= 2_000) throw new Error(`the rules engine left ${waiting} readings after its cursors`);
    await sleep(10);
  }
}

/** Waits until the broker has recorded the dropped hub's last will ("offline", stamped at the step). */
async function lastWillRecorded(options: Pick<SteppedReplayOptions, 'storage' | 'sleep'>, connected: { readonly deviceId: string; readonly patientId: string }, at: Date): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 0; ; attempt++) {
    const device = (await options.storage.deviceState.contactsOf(connected.patientId)).find((d) => d.id === connected.deviceId);
    if (device?.connection?.state === 'offline' && device.connection.at.getTime() >= at.getTime()) return;
    if (attempt >= 1_000) throw new Error(`the last will of device ${connected.deviceId} was not recorded`);
    await sleep(10);
  }
}
