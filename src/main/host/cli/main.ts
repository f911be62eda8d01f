import { parseArgs } from 'node:util';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type CliCommand, type CliIo } from './command';
import { benchMachineCommand } from './commands/bench-machine';
import { commandsCommand } from './commands/commands';
import { devicesCommand } from './commands/devices';
import { historyCommand } from './commands/history';
import { listenCommand } from './commands/listen';
import { modelsCommand } from './commands/models';
import { recordCommand } from './commands/record';
import { serveCommand } from './commands/serve';
import { transcribeCommand } from './commands/transcribe';
import { vadCommand } from './commands/vad';
import { wakeCommand } from './commands/wake';
import { versionCommand } from './commands/version';
import { metricsCommand } from './commands/metrics';
import { applyOnnxRuntimeEnv } from '../../worker/models/onnx-runtime-env';
import { isolatedStdoutWriter, rerunWithIsolatedStdout, stdoutIsIsolated } from './stdout-isolation';

/** The `earshot` CLI (`npm run -s cli -- <command>`): the headless composition root. */
const COMMANDS: readonly CliCommand[] = [
  versionCommand,
  devicesCommand,
  recordCommand,
  wakeCommand,
  vadCommand,
  transcribeCommand,
  listenCommand,
  modelsCommand,
  historyCommand,
  commandsCommand,
  serveCommand,
  metricsCommand,
  benchMachineCommand,
];

const machineOut = isolatedStdoutWriter();
const io: CliIo = {
  out: (line) => (machineOut ? machineOut(line + '\n') : process.stdout.write(line + '\n')),
  err: (line) => process.stderr.write(line + '\n'),
};

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: earshot <command> [options]    (in this repository: npm run -s cli -- <command>)',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `earshot <command> --help` for a command's options. Exit status: 0 ok, 1 failure, 2 usage error.",
  ].join('\n');
}

function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function runCli(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(overview());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.usage);
      return EXIT_OK;
    }
    if (command.opensAudio && !stdoutIsIsolated()) return await rerunWithIsolatedStdout();
    let parsed;
    try {
      parsed = parseArgs({
        args: [...rest],
        options: command.options,
        allowPositionals: command.allowPositionals ?? false,
        strict: true,
      });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    return await command.run({
      values: parsed.values,
      positionals: parsed.positionals,
      io,
      stopRequested: stopSignal(),
    });
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`earshot: ${err.message}`);
      io.err(`Try \`earshot ${command ? command.name + ' ' : ''}--help\`.`);
      return EXIT_USAGE;
    }
    io.err(`earshot: ${(err as Error).message.split('\n')[0]}`);
    return EXIT_FAILURE;
  }
}

// Every process the CLI starts (its stdout re-run, the inference worker) inherits ONNX Runtime's telemetry switch.
applyOnnxRuntimeEnv();
process.exitCode = await runCli(process.argv.slice(2));
