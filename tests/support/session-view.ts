import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { expect, vi } from 'vitest';
import type { Component } from 'vue';
import { installBridge } from '../../src/renderer/bridge';
import { useSessionStore } from '../../src/renderer/stores/session';
import { loopbackBridge } from './loopback-bridge';

/**
 * A view with a real Pinia, the real services behind the loopback bridge (settings in
 * `configDir`), and the session store subscribed as App.vue does.
 */
export async function mountWithSession(view: Component, configDir: string) {
  const { api, services } = await loopbackBridge(configDir);
  installBridge(api);
  const pinia = createPinia();
  setActivePinia(pinia);
  const store = useSessionStore();
  const unsubscribe = store.subscribe();
  const wrapper = mount(view, { global: { plugins: [pinia] } });
  await vi.waitFor(() => expect(store.loaded).toBe(true));
  await flushPromises();
  return {
    wrapper,
    store,
    services,
    async dispose() {
      wrapper.unmount();
      unsubscribe();
      await services.dispose();
    },
  };
}
