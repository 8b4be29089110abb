import { formatReport } from '../format-report';
import { ProbeOptionsError } from '../options';
import { runProbe } from '../run-probe';
import { TargetRefusedError } from '../target/resolve-target';
import { parseCliArgs } from './parse-args';
import { USAGE } from './usage';

export interface CliStreams {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const processStreams: CliStreams = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
};

/**
 * The `portcullis-probe` command. Resolves with the exit code: 0 when no check failed,
 * 1 when one did, 2 for bad options or a host the probe refuses to reach.
 */
export async function runCli(
  argv: readonly string[],
  streams: CliStreams = processStreams,
): Promise<number> {
  try {
    const command = parseCliArgs(argv, streams.env);
    if (command.kind === 'help') {
      streams.stdout(USAGE);
      return 0;
    }
    const report = await runProbe(command.options);
    streams.stdout(command.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof ProbeOptionsError || error instanceof TargetRefusedError) {
      streams.stderr(`portcullis-probe: ${error.message}\nRun with --help for the options.`);
      return 2;
    }
    throw error;
  }
}
