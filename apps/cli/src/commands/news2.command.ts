import { runNews2Command } from '@homeward/rules';
import type { CliContext, Command } from '../cli-context';

export const news2Command: Command = {
  summary: 'Score NEWS2 (RCP 2017): homeward news2 --rr 16 --spo2 98 --scale 1 --air --sbp 120 --hr 70 --acvpu A --temp 37.0',
  usage: 'homeward news2 [--rr N] [--spo2 N] [--scale 1|2] [--air|--oxygen] [--sbp N] [--hr N] [--acvpu A|C|V|P|U] [--temp N.N]',
  async run(context: CliContext): Promise<number> {
    const result = runNews2Command(context.args);
    context.out(JSON.stringify(result.output, null, 2));
    return result.exitCode;
  },
};
