import { readFileSync } from 'node:fs';
import { AppError } from '../../shared/errors';
import type { HistoryItem } from '../../shared/session';
import { exportHistory } from '../history/history-export';
import type { HistoryEntry, HistoryStore } from '../history/history-store';
import type { SessionService } from '../session/session-service';
import type { EventHub } from './event-hub';
import type { IpcRouter } from './router';

const EXPORT_TYPES = { txt: 'text/plain', json: 'application/json', srt: 'application/x-subrip' } as const;

/** The voice session's and the history's part of the IPC contract. */
export function bindSession(
  session: SessionService,
  history: HistoryStore,
  router: IpcRouter,
  events: EventHub,
): (() => void)[] {
  return [
    router.handle('session:get-status', () => session.status()),
    router.handle('session:start', () => session.start()),
    router.handle('session:stop', () => session.stop()),
    router.handle('session:press', () => session.press()),
    router.handle('session:release', () => session.release()),
    router.handle('session:set-options', (patch) => session.setOptions(patch)),
    router.handle('history:list', ({ search, trigger, limit, offset }) => ({
      entries: history.list({ search, trigger, limit: limit ?? 100, offset: offset ?? 0 }).map(toHistoryItem),
      total: history.count(),
    })),
    router.handle('history:delete', ({ id }) => {
      const deleted = history.delete(id);
      if (deleted) events.emit('history:changed', { count: history.count() });
      return { deleted };
    }),
    router.handle('history:export', ({ format }) => ({
      filename: `earshot-history.${format}`,
      mimeType: EXPORT_TYPES[format],
      content: exportHistory(history.list({ limit: Number.MAX_SAFE_INTEGER }), format),
    })),
    router.handle('history:get-audio', ({ id }) => {
      const path = history.get(id)?.audioPath;
      if (!path)
        throw new AppError('HistoryEntryMissing', `Entry ${id} has no recording (audio is not kept, or was pruned).`);
      try {
        return { mimeType: 'audio/wav' as const, base64: readFileSync(path).toString('base64') };
      } catch {
        throw new AppError('HistoryEntryMissing', `The recording of entry ${id} is gone from ${path}.`);
      }
    }),
    // A window that goes away while holding push-to-talk must not leave the session recording.
    router.onConnectionClosed(() => {
      if (session.status().pressed) session.release();
    }),
    // SessionUpdate pairs each channel with its payload type; TypeScript cannot carry that pairing
    // through one generic call, and the hub validates every payload against the contract anyway.
    session.onUpdate((update) => events.emit(update.channel, update.payload as never)),
  ];
}

export function toHistoryItem(entry: HistoryEntry): HistoryItem {
  const item: HistoryItem = {
    id: entry.id,
    createdAt: entry.createdAt,
    text: entry.text,
    language: entry.language,
    trigger: entry.trigger,
    keyword: entry.keyword,
    profile: entry.profile,
    device: entry.device,
    durationMs: entry.durationMs,
    latency: entry.latency,
    hasAudio: entry.audioPath !== null,
    command: entry.command,
  };
  if (entry.snippet !== undefined) item.snippet = entry.snippet;
  return item;
}
