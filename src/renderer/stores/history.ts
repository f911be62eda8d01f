import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { InvokeRequest, InvokeResponse } from '../../shared/ipc/contract';
import type { HistoryItem, Retranscription } from '../../shared/session';
import { bridge } from '../bridge';
import { messageOf } from './error-message';

export type TriggerFilter = 'all' | 'wake' | 'ptt' | 'command';
export type ExportFormat = InvokeRequest<'history:export'>['format'];
export type HistoryExport = InvokeResponse<'history:export'>;
export type HistoryAudio = InvokeResponse<'history:get-audio'>;

/** The transcript history: search, filter, delete, export, and each entry's recording. */
export const useHistoryStore = defineStore('history', () => {
  const entries = ref<HistoryItem[]>([]);
  /** Entries in the whole history, whatever the search. */
  const total = ref(0);
  /** The search the entries answer (already debounced by the view). */
  const search = ref('');
  const trigger = ref<TriggerFilter>('all');
  const loaded = ref(false);
  const loading = ref(false);
  /** The entry being deleted, or whose audio is being fetched. */
  const busyId = ref<number | null>(null);
  const exporting = ref<ExportFormat | null>(null);
  const error = ref<string | null>(null);
  // Typing sends a list request per pause: only the newest answer may land.
  let generation = 0;

  async function load(): Promise<void> {
    const mine = ++generation;
    loading.value = true;
    const text = search.value.trim();
    try {
      const page = await bridge().listHistory({
        ...(text ? { search: text } : {}),
        ...(trigger.value === 'all' ? {} : { trigger: trigger.value }),
      });
      if (mine !== generation) return;
      entries.value = page.entries;
      total.value = page.total;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      if (mine === generation) error.value = messageOf(err);
    } finally {
      if (mine === generation) loading.value = false;
    }
  }

  function setQuery(query: { search?: string; trigger?: TriggerFilter }): Promise<void> {
    if (query.search !== undefined) search.value = query.search;
    if (query.trigger !== undefined) trigger.value = query.trigger;
    return load();
  }

  async function remove(id: number): Promise<void> {
    if (busyId.value !== null) return;
    busyId.value = id;
    try {
      const { deleted } = await bridge().deleteHistoryEntry({ id });
      // Main also announces the change (history:changed); the entry leaves the list at once either way.
      if (deleted) {
        entries.value = entries.value.filter((e) => e.id !== id);
        total.value = Math.max(0, total.value - 1);
      }
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      busyId.value = null;
    }
  }

  /** The history as a document (oldest first); null when it could not be made (the error says why). */
  async function exportAs(format: ExportFormat): Promise<HistoryExport | null> {
    if (exporting.value) return null;
    exporting.value = format;
    try {
      const document = await bridge().exportHistory({ format });
      error.value = null;
      return document;
    } catch (err) {
      error.value = messageOf(err);
      return null;
    } finally {
      exporting.value = null;
    }
  }

  /** An entry's recording as WAV; null when it is gone (the error says why). */
  async function audioOf(id: number): Promise<HistoryAudio | null> {
    if (busyId.value !== null) return null;
    busyId.value = id;
    try {
      const audio = await bridge().getHistoryAudio({ id });
      error.value = null;
      return audio;
    } catch (err) {
      error.value = messageOf(err);
      return null;
    } finally {
      busyId.value = null;
    }
  }

  /** Kept recordings transcribed again, by entry id, newest last (the History shows them beside the original). */
  const retries = ref<Record<number, Retranscription[]>>({});
  /** The entry being transcribed again. */
  const retryingId = ref<number | null>(null);

  async function retranscribe(id: number, profileId: string): Promise<void> {
    retryingId.value = id;
    try {
      const result = await bridge().retranscribeHistoryEntry({ id, profileId });
      const earlier = (retries.value[id] ?? []).filter((r) => r.profileId !== profileId);
      retries.value = { ...retries.value, [id]: [...earlier, result] };
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      retryingId.value = null;
    }
  }

  /** Reloads whenever an entry is added or deleted (by this window, another, or the CLI's session). */
  function subscribe(): () => void {
    return bridge().onHistoryChanged(() => void load());
  }

  return {
    retries,
    retryingId,
    retranscribe,
    entries,
    total,
    search,
    trigger,
    loaded,
    loading,
    busyId,
    exporting,
    error,
    load,
    setQuery,
    remove,
    exportAs,
    audioOf,
    subscribe,
  };
});
