import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Profile } from '../../shared/profiles';
import { bridge } from '../bridge';
import { messageOf } from './error-message';

/** Profiles: the presets, which one is active, and switching (live, persisted by main). */
export const useProfilesStore = defineStore('profiles', () => {
  const profiles = ref<Profile[]>([]);
  const activeId = ref<string | null>(null);
  const switchingTo = ref<string | null>(null);
  const error = ref<string | null>(null);
  const loaded = ref(false);

  const active = computed(() => profiles.value.find((p) => p.id === activeId.value) ?? null);

  async function load(): Promise<void> {
    try {
      const list = await bridge().listProfiles();
      profiles.value = list.profiles;
      activeId.value = list.activeId;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  async function activate(id: string): Promise<void> {
    if (switchingTo.value) return;
    switchingTo.value = id;
    try {
      activeId.value = (await bridge().setActiveProfile({ id })).activeId;
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    } finally {
      switchingTo.value = null;
    }
  }

  /** Follows changes made elsewhere (another window, the CLI, the tray). */
  function subscribe(): () => void {
    return bridge().onActiveProfileChanged(({ activeId: id }) => {
      activeId.value = id;
    });
  }

  return { profiles, activeId, active, switchingTo, error, loaded, load, activate, subscribe };
});
