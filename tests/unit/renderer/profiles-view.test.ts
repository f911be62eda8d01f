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

  it('tests this machine from the view (refused while a session runs) and switches to the recommended profile', async () => {
    const { api, services } = await loopbackBridge(tempDir());
    installBridge(api);
    setActivePinia(createPinia());
    const store = useProfilesStore();
    const unsubscribe = store.subscribe();
    const wrapper = mount(ProfilesView);
    try {
      await store.load();
      const card = () => wrapper.get('[data-testid="machine-check"]');

      await services.session.start();
      await card().get('[data-testid="machine-check-run"]').trigger('click');
      await vi.waitFor(() => expect(card().find('[role="alert"]').exists()).toBe(true));
      expect(card().get('[role="alert"]').text()).toMatch(/^Stop the session first/);
      await services.session.stop();

      // The active profile is one the check never recommends first, so "Use" has something to do.
      await store.activate('low-resource');
      await card().get('[data-testid="machine-check-run"]').trigger('click');
      await vi.waitFor(() => expect(card().find('[data-testid="machine-check-progress"]').text()).toMatch(/of 4\)/));
      await vi.waitFor(() => expect(card().find('[data-testid="machine-check-figures"]').exists()).toBe(true), {
        timeout: 120_000,
        interval: 200,
      });
      const rows = card().findAll('[data-preset]');
      expect(rows.map((r) => r.attributes('data-preset'))).toEqual(PRESETS.map((p) => p.id));
      expect(rows.filter((r) => r.text().includes('(recommended)'))).toHaveLength(1);
      expect(card().get('[data-testid="machine-check-reason"]').text().length).toBeGreaterThan(20);
      const use = card().find('[data-testid="machine-check-use"]');
      if (use.exists()) {
        const name = use.text().replace(/^Use /, '');
        await use.trigger('click');
        await vi.waitFor(() => expect(store.active?.name).toBe(name));
      } else {
        expect(card().text()).toContain('Low resource is already active.');
      }
    } finally {
      wrapper.unmount();
      unsubscribe();
      await services.dispose();
    }
  }, 150_000);
});
