/**
 * Logging for main-side services. Everything goes to stderr so that `--json` output on
 * stdout stays machine-readable (CLI convention).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, detail?: unknown): void;
  info(message: string, detail?: unknown): void;
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function threshold(): number {
  const wanted = process.env.EARSHOT_LOG_LEVEL as LogLevel | undefined;
  return ORDER[wanted && wanted in ORDER ? wanted : 'info'];
}

export function createLogger(
  scope: string,
  sink: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Logger {
  const min = threshold();
  const emit = (level: LogLevel, message: string, detail?: unknown): void => {
    if (ORDER[level] < min) return;
    const suffix = detail === undefined ? '' : ' ' + formatDetail(detail);
    sink(`[${new Date().toISOString()}] ${level.padEnd(5)} ${scope}: ${message}${suffix}`);
  };
  return {
    debug: (m, d) => emit('debug', m, d),
    info: (m, d) => emit('info', m, d),
    warn: (m, d) => emit('warn', m, d),
    error: (m, d) => emit('error', m, d),
  };
}

function formatDetail(detail: unknown): string {
  if (detail instanceof Error) return detail.stack ?? detail.message;
  try {
    return JSON.stringify(detail);
  } catch {
    return String(detail);
  }
}
