import { createLogger, type Logger } from '../../src/main/log';

/** A real logger whose lines are kept for assertions instead of printed. */
export function memoryLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger('test', (line) => lines.push(line)), lines };
}
