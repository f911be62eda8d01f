import { defineStore } from 'pinia';
import { ref } from 'vue';
import { bridge } from '../bridge';
import { messageOf } from './error-message';

export interface WakeWordOption {
  id: string;
  licence: string;
}

/** Wake words: the models on offer with their licences, and which ones start listening (persisted by main). */
export const useWakeWordsStore = defineStore('wake-words', () => {
  const available = ref<WakeWordOption[]>([]);
  /** Empty: no wake word, push-to-talk only. */
  const active = ref<string[]>([]);
  const loaded = ref(false);
  const saving = ref(false);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      const list = await bridge().listWakeWords();
      available.value = list.available;
      active.value = list.active;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  /** Turns one wake word on or off and saves the whole list; on failure the previous list stays. */
  async function toggle(id: string): Promise<void> {
    if (saving.value) return;
    const keywords = active.value.includes(id) ? active.value.filter((k) => k !== id) : [...active.value, id];
    saving.value = true;
    try {
      const list = await bridge().setWakeWords({ keywords });
      available.value = list.available;
      active.value = list.active;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      saving.value = false;
    }
  }

  return { available, active, loaded, saving, error, load, toggle };
});
