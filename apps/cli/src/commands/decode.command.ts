import { runDecodeCommand } from '@homeward/gatt';
import type { CliContext, Command } from '../cli-context';

export const decodeCommand: Command = {
  summary: 'Decode a Bluetooth GATT frame: homeward decode <uuid> <hex>, e.g. decode 2A35 "00 78 00 50 00 5d 00".',
  usage: 'homeward decode <characteristic uuid: 2A35 | 0x2a35 | 00002a35-0000-1000-8000-00805f9b34fb> <hex bytes>',
  async run(context: CliContext): Promise<number> {
    const [uuid, ...hex] = context.args;
    if (uuid === undefined || hex.length === 0) {
      context.out(JSON.stringify({ error: { code: 'cli.usage', message: `Usage: ${this.usage}`, offset: null } }, null, 2));
      return 1;
    }
    const result = runDecodeCommand(uuid, hex.join(''));
    context.out(JSON.stringify(result.output, null, 2));
    return result.exitCode;
  },
};
