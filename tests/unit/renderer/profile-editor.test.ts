// @vitest-environment happy-dom
// Editing profiles of your own in the Profiles view, against the real main-side services: duplicate a preset, see the diff, refuse an invalid value with its field named, reset, save (applied live when active), delete the active one and be told.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import { installBridge } from '../../../src/renderer/bridge';
import { useProfilesStore } from '../../../src/renderer/stores/profiles';
import ProfilesView from '../../../src/renderer/views/ProfilesView.vue';
import { loopbackBridge } from '../../support/loopback-bridge';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();

async function mountProfiles() {
  const { api, services } = await loopbackBridge(tempDir());
  installBridge(api);
  setActivePinia(createPinia());
  const store = useProfilesStore();
  await store.load();
  const wrapper = mount(ProfilesView);
  await flushPromises();
  return { wrapper, services, store };
}

describe('the profile editor', () => {
  it('duplicates Balanced, shows what changed, refuses an invalid value by name, resets, and saves', async () => {
    const { wrapper, services } = await mountProfiles();
    try {
      await wrapper
        .get('[data-profile="balanced"]')
        .findAll('button')
        .find((b) => b.text() === 'Duplicate')!
        .trigger('click');
      const editor = wrapper.get('[data-testid="profile-editor"]');
      expect((editor.get('#profile-id').element as HTMLInputElement).value).toBe('balanced-copy');
      expect(editor.get('[data-testid="profile-diff"]').text()).toContain('None: the same values as the preset.');

      await editor.get('#field-partialIntervalMs').setValue('250');
      await editor.get('#field-wake\\.threshold').setValue('0.4');
      const diff = () => editor.findAll('[data-testid="profile-diff"] li').map((li) => li.text());
      expect(diff()).toEqual(['Partial transcript every (ms): 500 → 250', 'Threshold: 0.5 → 0.4']);

      // The shared schema's rules, shown under the field, and saving is held back.
      await editor.get('#field-vad\\.endThreshold').setValue('0.9');
      await editor.get('#field-wake\\.threshold').setValue('1.4');
      const problems = editor.findAll('.problem').map((p) => p.text());
      expect(problems).toContain('Threshold: Too big: expected number to be <=1');
      expect(
        problems.some((p) => p.startsWith('Speech ends below: vad.endThreshold must not exceed')),
        problems.join(' | '),
      ).toBe(true);
      expect(editor.get('button[type="submit"]').attributes('disabled')).toBeDefined();

      await editor
        .findAll('button')
        .find((b) => b.text() === 'Reset to Balanced')!
        .trigger('click');
      expect(diff()).toEqual([]);
      expect(editor.findAll('.problem')).toEqual([]);
      await editor.get('#field-partialIntervalMs').setValue('250');
      await editor.get('#field-name').setValue('Quick');
      await editor.trigger('submit');
      await vi.waitFor(() =>
        expect(services.settings.get().profiles.custom).toMatchObject([
          { id: 'balanced-copy', name: 'Quick', partialIntervalMs: 250, basedOn: 'balanced' },
        ]),
      );
      await flushPromises();
      expect(wrapper.find('[data-testid="profile-editor"]').exists()).toBe(false);
      expect(wrapper.get('[data-profile="balanced-copy"] [data-testid="custom-badge"]').text()).toBe(
        'Yours, from balanced',
      );
    } finally {
      await services.dispose();
    }
  });

  it('applies an edit of the active profile at once, and deleting it goes back to Balanced with a notice', async () => {
    const { wrapper, services, store } = await mountProfiles();
    try {
      const copy = store.duplicate('low-latency')!;
      expect(await store.save({ ...copy, id: 'mine', name: 'Mine' })).toBe(true);
      await store.activate('mine');
      const applied: number[] = [];
      services.profiles.onActiveChanged((p) => applied.push(p.partialIntervalMs));
      await flushPromises();
      await wrapper
        .get('[data-profile="mine"]')
        .findAll('button')
        .find((b) => b.text() === 'Edit')!
        .trigger('click');
      await wrapper.get('#field-partialIntervalMs').setValue('700');
      await wrapper.get('[data-testid="profile-editor"]').trigger('submit');
      await vi.waitFor(() => expect(applied).toEqual([700]));
      // The save is done when the editor closes; until then the buttons wait.
      await vi.waitFor(() => expect(wrapper.find('[data-testid="profile-editor"]').exists()).toBe(false));

      await wrapper
        .get('[data-profile="mine"]')
        .findAll('button')
        .find((b) => b.text() === 'Delete')!
        .trigger('click');
      await vi.waitFor(() => expect(services.settings.get().activeProfileId).toBe('balanced'));
      await flushPromises();
      expect(wrapper.get('[data-testid="active-profile"]').text()).toBe('Balanced');
      expect(wrapper.text()).toContain('The profile you deleted was active: Earshot now uses Balanced.');
      // A preset id is refused by main too, whatever a window sends.
      expect(await store.save({ ...copy, id: 'balanced' })).toBe(false);
      expect(store.error).toMatch(/a preset cannot be changed/);
    } finally {
      await services.dispose();
    }
  });
});
