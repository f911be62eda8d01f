// @vitest-environment happy-dom
// The Wake words view and its store: rendering from state, and the store against the real main-side services and settings file.
import { createTestingPinia } from '@pinia/testing';
import { mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import WakeWordsView from '../../../src/renderer/views/WakeWordsView.vue';
import { installBridge } from '../../../src/renderer/bridge';
import { useWakeWordName } from '../../../src/renderer/composables/useWakeWordName';
import { useWakeWordsStore } from '../../../src/renderer/stores/wake-words';
import { loopbackBridge } from '../../support/loopback-bridge';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();

const NC = 'CC BY-NC-SA 4.0';
const AVAILABLE = ['hey_jarvis', 'alexa', 'hey_mycroft', 'hey_rhasspy', 'timer', 'weather'].map((id) => ({
  id,
  licence: NC,
}));

function mountView(state: Record<string, unknown>) {
  const pinia = createTestingPinia({
    createSpy: vi.fn,
    initialState: { 'wake-words': { available: AVAILABLE, loaded: true, ...state } },
  });
  const store = useWakeWordsStore(pinia);
  const wrapper = mount(WakeWordsView, { global: { plugins: [pinia] } });
  return { wrapper, store };
}

describe('useWakeWordName', () => {
  it('names wake phrases as spoken and marks command models', () => {
    expect(['hey_jarvis', 'hey_mycroft', 'alexa', 'hey_rhasspy', 'timer', 'weather'].map(useWakeWordName)).toEqual([
      'Hey Jarvis',
      'Hey Mycroft',
      'Alexa',
      'Hey Rhasspy',
      'Timer (command)',
      'Weather (command)',
    ]);
  });
});

describe('WakeWordsView', () => {
  it('lists every model as a labelled checkbox with its licence, and says what is active', () => {
    const { wrapper, store } = mountView({ active: ['hey_jarvis', 'alexa'] });
    expect(store.load).toHaveBeenCalledTimes(1);
    const rows = wrapper.findAll('[data-testid="wake-word"]');
    expect(rows.map((r) => r.attributes('data-id'))).toEqual(AVAILABLE.map((w) => w.id));
    expect(rows.map((r) => r.get('label').text())).toEqual([
      'Hey Jarvis',
      'Alexa',
      'Hey Mycroft',
      'Hey Rhasspy',
      'Timer (command)',
      'Weather (command)',
    ]);
    const checked = rows.map((r) => (r.get('input[type="checkbox"]').element as HTMLInputElement).checked);
    expect(checked).toEqual([true, true, false, false, false, false]);
    for (const row of rows) {
      const input = row.get('input');
      // The label names the checkbox; the licence describes it.
      expect(row.get('label').attributes('for')).toBe(input.attributes('id'));
      const licence = row.get(`#${input.attributes('aria-describedby')}`);
      expect(licence.text()).toBe('CC BY-NC-SA 4.0 (non-commercial)');
      expect(input.attributes('disabled')).toBeUndefined();
    }
    expect(wrapper.get('[data-testid="licence-note"]').text()).toContain('non-commercial use only');
    expect(wrapper.get('[data-testid="active-wake-words"]').text()).toBe('Listening for: Hey Jarvis, Alexa');
    expect(wrapper.find('[role="alert"]').exists()).toBe(false);
  });

  it('says push-to-talk only when none is active, and shows an error', () => {
    const { wrapper } = mountView({ active: [], error: 'Unknown wake word nope.' });
    expect(wrapper.get('[data-testid="active-wake-words"]').text()).toBe('No wake word: push-to-talk only');
    expect(wrapper.get('[role="alert"]').text()).toBe('Unknown wake word nope.');
  });

  it('sends a toggle to the store and disables the checkboxes while saving', async () => {
    const { wrapper, store } = mountView({ active: ['hey_jarvis'] });
    await wrapper.get('[data-id="alexa"] input').setValue(true);
    expect(store.toggle).toHaveBeenLastCalledWith('alexa');
    store.saving = true;
    await wrapper.vm.$nextTick();
    for (const input of wrapper.findAll('[data-testid="wake-word"] input')) {
      expect(input.attributes('disabled')).toBeDefined();
    }
  });
});

describe('useWakeWordsStore', () => {
  it('loads the default, saves a toggle that persists, and keeps the list when a save fails', async () => {
    const dir = tempDir();
    const { api, services } = await loopbackBridge(dir);
    installBridge(api);
    setActivePinia(createPinia());
    const store = useWakeWordsStore();

    try {
      await store.load();
      expect(store.loaded).toBe(true);
      expect(store.active).toEqual(['hey_jarvis']);
      expect(store.available.map((w) => w.id)).toEqual(AVAILABLE.map((w) => w.id));
      expect(store.available.every((w) => w.licence === NC)).toBe(true);

      await store.toggle('alexa');
      expect(store.active).toEqual(['hey_jarvis', 'alexa']);
      expect(store.error).toBeNull();
      expect(store.saving).toBe(false);
      const reopened = await loopbackBridge(dir);
      try {
        expect(reopened.services.settings.get().wake.keywords).toEqual(['hey_jarvis', 'alexa']);
      } finally {
        await reopened.services.dispose();
      }

      await store.toggle('no_such_word');
      expect(store.error).toMatch(/^Unknown wake word no_such_word\./);
      expect(store.active).toEqual(['hey_jarvis', 'alexa']);
      expect(store.saving).toBe(false);

      await store.toggle('hey_jarvis');
      expect(store.active).toEqual(['alexa']);
      expect(store.error).toBeNull();
    } finally {
      await services.dispose();
    }
  });
});
