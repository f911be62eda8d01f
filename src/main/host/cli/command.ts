import type { ParseArgsConfig } from 'node:util';

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called: exit 2 with a hint to `--help`. */
export class UsageError extends Error {}

export interface CliIo {
  /** Machine-readable output (and human output when --json is off). */
  out(line: string): void;
  /** Logs, progress and errors. */
  err(line: string): void;
}

export interface CommandContext {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  io: CliIo;
  /** Resolves when the user asks the command to stop (SIGINT/SIGTERM). */
  stopRequested: Promise<void>;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** Synopsis and option list shown by `--help`. */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  allowPositionals?: boolean;
  /** Opens audio devices: run with native stdout chatter diverted to stderr (see stdout-isolation.ts). */
  opensAudio?: boolean;
  run(context: CommandContext): Promise<number>;
}

export function integerOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  }
  return n;
}
