import { dirname, join } from 'node:path';
import { AppError, type Notice } from '../../shared/errors';
import type { Logger } from '../log';
import { HistoryStore } from './history-store';

/**
 * Opens the history for a long-running host. The session must work even when the history
 * cannot: a damaged file was moved aside (say where), and a history this version cannot read
 * is left untouched while entries go to memory for this run (say that too).
 */
export function openHistory(
  path: string,
  log: Logger,
  /** The recordings' size cap (`session.recordingsCapMb`). */
  recordingsCapMb?: number,
): { store: HistoryStore; notices: Notice[] } {
  const audioCapBytes = recordingsCapMb === undefined ? undefined : recordingsCapBytes(recordingsCapMb);
  const options = {
    audioDir: join(dirname(path), 'history-audio'),
    logger: log,
    ...(audioCapBytes ? { audioCapBytes } : {}),
  };
  try {
    const store = HistoryStore.open(path, options);
    const notices: Notice[] = store.recovered
      ? [
          {
            code: 'HistoryRecovered',
            message: `The history file was damaged and was moved to ${store.recovered}; a new history was started.`,
          },
        ]
      : [];
    return { store, notices };
  } catch (error) {
    log.error(`could not open the history at ${path}`, error);
    const reason = error instanceof AppError ? error.message : `It could not be opened (${String(error)}).`;
    return {
      store: HistoryStore.open(':memory:', { logger: log }),
      notices: [{ code: 'HistoryUnavailable', message: `${reason} Transcripts are kept only until Earshot quits.` }],
    };
  }
}

/** The recordings setting's MiB as the store's byte cap. */
export function recordingsCapBytes(mb: number): number {
  return mb * 1024 * 1024;
}
