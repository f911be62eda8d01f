import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppPreferences } from '../../shared/settings';
import { bridge } from '../bridge';
import { busyCall } from './busy-call';
import { messageOf } from './error-message';

/** The app's own preferences (look, start-up), resetting every setting, and opening the folders. */
export const useSettingsStore = defineStore('settings', () => {
  const app = ref<AppPreferences | null>(null);
  const saving = ref(false);
  const error = ref<string | null>(null);
  const info = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      app.value = (await bridge().getSettings()).app;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  async function setApp(patch: Partial<AppPreferences>): Promise<void> {
    await busyCall(saving, error, async () => (app.value = await bridge().setAppPreferences(patch)));
  }

  /** Every setting back to its default; resolves true when done (the old file is kept, and `info` says where). */
  function reset(): Promise<boolean> {
    return busyCall(saving, error, async () => {
      const { backup } = await bridge().resetSettings();
      info.value = backup ? `Settings reset. The old file is kept at ${backup}.` : 'Settings reset.';
      await load();
    });
  }

  async function openFolder(folder: 'settings' | 'data'): Promise<void> {
    try {
      const { path } = await bridge().openFolder({ folder });
      info.value = `Opened ${path}.`;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  return { app, saving, error, info, load, setApp, reset, openFolder };
});
