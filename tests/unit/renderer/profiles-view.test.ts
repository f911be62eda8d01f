// @vitest-environment happy-dom
// The Profiles view and its store, against the real main-side services through a loopback bridge.
import { createTestingPinia } from '@pinia/testing';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { PRESETS } from '../../../src/shared/profiles';
import ProfilesView from '../../../src/renderer/views/ProfilesView.vue';
import { installBridge } from '../../../src/renderer/bridge';
import { useProfilesStore } from '../../../src/renderer/stores/profiles';
import { loopbackBridge } from '../../support/loopback-bridge';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();

describe('ProfilesView', () => {
  it('lists every preset with its key parameters and marks the active one', () => {
    const wrapper = mount(ProfilesView, {
      global: {
        plugins: [
          createTestingPinia({
            createSpy: vi.fn,
            initialState: { profiles: { profiles: PRESETS, activeId: 'low-latency', loaded: true } },
          }),
        ],
      },
    });
    const cards = wrapper.findAll('[data-profile]');
    expect(cards.map((c) => c.attributes('data-profile'))).toEqual(PRESETS.map((p) => p.id));
    const active = wrapper.get('[data-profile="low-latency"]');
    expect(active.text()).toContain('Active');
    expect(active.get('button').attributes('disabled')).toBeDefined();
    expect(wrapper.get('[data-testid="active-profile"]').text()).toBe('Low latency');
    const highAccuracy = wrapper.get('[data-profile="high-accuracy"]').text();
    expect(highAccuracy).toContain('Whisper base');
    expect(highAccuracy).toContain('beam search, 5 beams');
    expect(wrapper.get('[data-profile="low-resource"]').text()).toMatch(/Live partials\s*off/);
  });

  it('asks the store to switch when a profile is chosen', async () => {
    const wrapper = mount(ProfilesView, {
      global: {
        plugins: [
          createTestingPinia({
            createSpy: vi.fn,
            initialState: { profiles: { profiles: PRESETS, activeId: 'balanced' } },
          }),
        ],
      },
    });
    await wrapper.get('[data-profile="low-resource"] button').trigger('click');
    expect(useProfilesStore().activate).toHaveBeenCalledWith('low-resource');
  });
});

describe('useProfilesStore', () => {
  it('loads, switches through the guarded router, persists, and follows outside changes', async () => {
    const dir = tempDir();
    const { api, services } = await loopbackBridge(dir);
    installBridge(api);
    setActivePinia(createPinia());
    const store = useProfilesStore();
    const unsubscribe = store.subscribe();

    await store.load();
    expect(store.profiles).toHaveLength(4);
    expect(store.active?.id).toBe('balanced');

    await store.activate('high-accuracy');
    expect(store.activeId).toBe('high-accuracy');
    expect(store.error).toBeNull();
    expect((await loopbackBridge(dir)).services.profiles.active().id).toBe('high-accuracy');

    services.profiles.setActive('low-latency'); // e.g. from the tray or another window
    expect(store.activeId).toBe('low-latency');

    await store.activate('no-such-profile');
    expect(store.activeId).toBe('low-latency');
    expect(store.error).toMatch(/no profile "no-such-profile"/);
    unsubscribe();
  });
});
