import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HubDevicesFileDto, validateDto } from '@homeward/contracts';
import { createNobleBleCentral, startHub } from '@homeward/gateway';
import type { CliContext, Command } from '../cli-context';
import { describeFailure } from '../describe-failure';
import { stderrLogger } from '../log';

/**
 * Hub mode: run at a patient's home with a Bluetooth adapter and no database. Reads the home's
 * registered devices over BLE and forwards their readings upstream from a durable queue.
 */
export const hubCommand: Command = {
  summary: 'Run as a home hub: read this home\'s Bluetooth devices and forward their readings upstream (HOMEWARD_HUB_* settings).',
  usage: 'HOMEWARD_HUB_UPSTREAM_URL=… HOMEWARD_HUB_DEVICE_ID=… HOMEWARD_HUB_SECRET=… HOMEWARD_HUB_DEVICES_FILE=devices.json homeward hub',
  async run(context: CliContext): Promise<number> {
    const config = context.config();
    if (!config) return 2;
    if (!config.hub) {
      context.err(`Hub mode needs HOMEWARD_HUB_UPSTREAM_URL, HOMEWARD_HUB_DEVICE_ID, HOMEWARD_HUB_SECRET and HOMEWARD_HUB_DEVICES_FILE.\nUsage: ${this.usage}`);
      return 2;
    }
    let devices: HubDevicesFileDto;
    try {
      const parsed = validateDto(HubDevicesFileDto, JSON.parse(readFileSync(config.hub.devicesFile, 'utf8')));
      if (!parsed.ok) throw new Error(`${config.hub.devicesFile}: ${parsed.error.message}`);
      devices = parsed.value;
    } catch (error) {
      context.err(`Cannot read the hub's devices file: ${describeFailure(error)}`);
      return 2;
    }
    const log = stderrLogger(context.err);
    let hub;
    try {
      hub = await startHub({
        upstream: { url: config.hub.upstreamUrl, deviceId: config.hub.deviceId, secret: config.hub.secret },
        devices: devices.devices.map((d) => ({ deviceId: d.deviceId, patientId: '', serial: d.serial, bleAddress: d.bleAddress?.toLowerCase() ?? null })),
        queuePath: join(config.database.dataDir, 'hub-queue.jsonl'),
        sequencesPath: join(config.database.dataDir, 'ble-glucose-sequences.json'),
        central: createNobleBleCentral(),
        log,
      });
    } catch (error) {
      context.err(describeFailure(error, 'The hub could not start (is there a Bluetooth adapter, and may this user use it?)'));
      return 1;
    }
    log(`hub running: ${devices.devices.length} device(s), forwarding to ${config.hub.upstreamUrl}`);
    const signal = await context.stopRequested;
    log(`${signal} received: stopping`);
    await hub.close();
    return 0;
  },
};
