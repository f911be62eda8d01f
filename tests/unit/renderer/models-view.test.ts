// @vitest-environment happy-dom
// The Models view against the real main-side services: the list with who uses each model and its verified hash, adding a
// folder, and a delete refused while a profile uses it. (Downloads run in the browser e2e: here `fetch` is happy-dom's.)
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { findPreset } from '../../../src/shared/profiles';
import { installBridge } from '../../../src/renderer/bridge';
import ModelsView from '../../../src/renderer/views/ModelsView.vue';
import { loopbackBridge } from '../../support/loopback-bridge';
import { useTempDirs } from '../../support/temp-dir';
import { TINY } from '../../support/tiny-model';

const tempDir = useTempDirs();

async function mountModels() {
  const modelsDir = join(tempDir(), 'models');
  const { api, services } = await loopbackBridge(tempDir(), { modelsDir });
  installBridge(api);
  const pinia = createPinia();
  setActivePinia(pinia);
  const wrapper = mount(ModelsView, { global: { plugins: [pinia] } });
  await vi.waitFor(() => expect(wrapper.findAll('[data-model]')).toHaveLength(2), { timeout: 10_000 });
  return {
    wrapper,
    services,
    modelsDir,
    dispose: async () => {
      wrapper.unmount();
      await services.dispose();
    },
  };
}

describe('ModelsView', () => {
  it('lists the packaged models verified with their users, adds a folder, and deletes it only once no profile uses it', async () => {
    const { wrapper, services, modelsDir, dispose } = await mountModels();
    const remove = async (name: string) => {
      await wrapper.get(`[data-model="${name}"] button`).trigger('click');
      const confirm = wrapper.get(`[data-model="${name}"] [data-testid="model-confirm"]`);
      expect(confirm.text()).toContain(`Delete ${name} and its files?`);
      await confirm.get('button.danger').trigger('click');
    };
    try {
      const tiny = wrapper.get('[data-model="whisper-tiny"]');
      expect(tiny.text()).toContain('Comes with Earshot');
      expect(tiny.get('[data-testid="model-used-by"]').text()).toBe('Balanced, Low latency, Low resource');
      expect(wrapper.get('[data-model="whisper-base"] [data-testid="model-used-by"]').text()).toBe('High accuracy');
      expect(tiny.get('[data-testid="model-check"]').text()).toMatch(/^Verified fd9d995b9dcb$/);
      expect(tiny.find('button').exists()).toBe(false);

      const source = join(tempDir(), 'my-tiny');
      cpSync(TINY, source, { recursive: true });
      await wrapper.get('#add-folder').setValue(source);
      await wrapper.get('#add-name').setValue('mine');
      await wrapper.get('[data-testid="model-add"]').trigger('submit');
      await vi.waitFor(() => expect(wrapper.find('[data-model="mine"]').exists()).toBe(true), { timeout: 20_000 });
      expect(wrapper.get('[data-testid="models-info"]').text()).toBe(
        "Added mine: choose it as a profile's speech model.",
      );
      expect(wrapper.get('[data-model="mine"]').text()).toContain(`Added from ${source}`);
      expect(wrapper.get('[data-model="mine"] [data-testid="model-check"]').text()).toMatch(/^Verified fd9d995b9dcb$/);

      // A profile of the user's uses it: refused, with the profile named; the files stay.
      services.profiles.save({
        ...findPreset('balanced')!,
        id: 'mine',
        name: 'Mine',
        basedOn: 'balanced',
        model: 'mine',
      });
      await remove('mine');
      await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true));
      expect(wrapper.get('[role="alert"]').text()).toBe(
        'mine is used by the profile Mine: choose another model there first.',
      );
      expect(readdirSync(modelsDir)).toEqual(['mine']);

      services.profiles.delete('mine');
      await flushPromises();
      await remove('mine');
      await vi.waitFor(() => expect(wrapper.find('[data-model="mine"]').exists()).toBe(false));
      expect(wrapper.get('[data-testid="models-info"]').text()).toBe('Deleted mine.');
      expect(readdirSync(modelsDir)).toEqual([]);
    } finally {
      await dispose();
    }
  }, 60_000);

  it('says why a folder is not a model', async () => {
    const { wrapper, dispose } = await mountModels();
    try {
      const empty = tempDir();
      await wrapper.get('#add-folder').setValue(empty);
      await wrapper.get('[data-testid="model-add"]').trigger('submit');
      await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true));
      expect(wrapper.get('[role="alert"]').text()).toMatch(
        new RegExp(
          `^${empty} is not a Whisper model in the transformers.js layout: it has no onnx/encoder_model_quantized.onnx`,
        ),
      );
    } finally {
      await dispose();
    }
  });
});
