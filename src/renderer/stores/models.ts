import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { ModelDownloadEvent, ModelDownloadRequest, ModelsOverview } from '../../shared/models';
import { bridge } from '../bridge';
import { busyCall } from './busy-call';
import { messageOf } from './error-message';

/** Whisper models: the list (with who uses each), adding, deleting, and the download under way. */
export const useModelsStore = defineStore('models', () => {
  const overview = ref<ModelsOverview | null>(null);
  /** The download under way, or the last one's end (done, failed or cancelled) until the next starts. */
  const download = ref<ModelDownloadEvent | null>(null);
  const busy = ref(false);
  const error = ref<string | null>(null);
  const info = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      overview.value = await bridge().listModels();
      if (overview.value.download) download.value = overview.value.download;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  function call(work: () => Promise<unknown>): Promise<boolean> {
    info.value = null;
    return busyCall(busy, error, work);
  }

  function add(folder: string, name?: string): Promise<boolean> {
    return call(async () => {
      const result = await bridge().addModel({ folder, ...(name ? { name } : {}) });
      overview.value = result.overview;
      info.value = `Added ${result.added}: choose it as a profile's speech model.`;
    });
  }

  function remove(name: string): Promise<boolean> {
    return call(async () => {
      overview.value = await bridge().deleteModel({ name });
      info.value = `Deleted ${name}.`;
    });
  }

  function start(request: ModelDownloadRequest): Promise<boolean> {
    return call(() => bridge().downloadModel(request));
  }

  function cancel(): Promise<boolean> {
    return call(() => bridge().cancelModelDownload());
  }

  /** Progress from main (any window's download); the list reloads when one ends. */
  function subscribe(): () => void {
    return bridge().onModelDownload((event) => {
      download.value = event;
      if (event.state === 'done' || event.state === 'cancelled' || event.state === 'failed') void load();
    });
  }

  return { overview, download, busy, error, info, load, add, remove, start, cancel, subscribe };
});
