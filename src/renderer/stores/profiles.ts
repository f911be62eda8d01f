import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { ProfileList } from '../../shared/ipc/contract';
import { findPreset, type CustomProfile, type Profile } from '../../shared/profiles';
import { bridge } from '../bridge';
import { busyCall } from './busy-call';
import { messageOf } from './error-message';
import { copyOf } from './copy-of';

/** Profiles: the presets and the user's own, which one is active, switching, and editing (persisted by main). */
export const useProfilesStore = defineStore('profiles', () => {
  const profiles = ref<Profile[]>([]);
  const activeId = ref<string | null>(null);
  /** The user's profiles by id, with the preset each came from. */
  const basedOn = ref<Record<string, string>>({});
  const switchingTo = ref<string | null>(null);
  const saving = ref(false);
  const error = ref<string | null>(null);
  /** Something the user should know after an action (the active profile was deleted). */
  const notice = ref<string | null>(null);
  const loaded = ref(false);

  const active = computed(() => profiles.value.find((p) => p.id === activeId.value) ?? null);

  function apply(list: ProfileList): void {
    profiles.value = list.profiles;
    activeId.value = list.activeId;
    basedOn.value = Object.fromEntries(list.custom.map((c) => [c.id, c.basedOn]));
  }

  async function load(): Promise<void> {
    try {
      apply(await bridge().listProfiles());
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

  /** A profile of the user's, ready for the editor: the profile with the preset it came from. */
  function customOf(id: string): CustomProfile | null {
    const profile = profiles.value.find((p) => p.id === id);
    const base = basedOn.value[id];
    return profile && base ? { ...copyOf(profile), basedOn: base } : null;
  }

  /** A new profile of the user's, copied from `id` (a preset, or one of theirs), with a free id. */
  function duplicate(id: string): CustomProfile | null {
    const source = profiles.value.find((p) => p.id === id);
    if (!source) return null;
    const taken = new Set(profiles.value.map((p) => p.id));
    let copyId = `${source.id}-copy`;
    for (let n = 2; taken.has(copyId); n++) copyId = `${source.id}-copy-${n}`;
    const preset = findPreset(id) ? id : (basedOn.value[id] ?? 'balanced');
    return { ...copyOf(source), id: copyId, name: `${source.name} (copy)`.slice(0, 60), basedOn: preset };
  }

  function save(profile: CustomProfile): Promise<boolean> {
    return busyCall(saving, error, async () => apply(await bridge().saveProfile(profile)));
  }

  async function remove(id: string): Promise<void> {
    await busyCall(saving, error, async () => {
      const answer = await bridge().deleteProfile({ id });
      apply(answer.list);
      notice.value = answer.notice;
    });
  }

  /** Follows changes made elsewhere (another window, the CLI, the tray, a voice command). */
  function subscribe(): () => void {
    return bridge().onActiveProfileChanged(({ activeId: id }) => {
      activeId.value = id;
    });
  }

  return {
    profiles,
    activeId,
    active,
    basedOn,
    switchingTo,
    saving,
    error,
    notice,
    loaded,
    load,
    activate,
    customOf,
    duplicate,
    save,
    remove,
    subscribe,
  };
});
