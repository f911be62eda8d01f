// @vitest-environment happy-dom
// The Commands view against the real main-side services: adding, switching off and deleting a user command, refusing a bad phrase, the programs switch, importing, and the window's confirmation of a program's first run.
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it, vi } from 'vitest';
import ProgramConfirmDialog from '../../../src/renderer/components/ProgramConfirmDialog.vue';
import { installBridge } from '../../../src/renderer/bridge';
import { useCommandsStore } from '../../../src/renderer/stores/commands';
import CommandsView from '../../../src/renderer/views/CommandsView.vue';
import { loopbackBridge } from '../../support/loopback-bridge';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();

async function mountCommands() {
  const { api, services } = await loopbackBridge(tempDir());
  installBridge(api);
  const pinia = createPinia();
  setActivePinia(pinia);
  const wrapper = mount(CommandsView, { global: { plugins: [pinia] } });
  await vi.waitFor(() => expect(wrapper.find('[data-testid="command-options"]').exists()).toBe(true));
  return { wrapper, services, dispose: () => services.dispose() };
}

describe('CommandsView', () => {
  it('lists the built-in commands, adds one of yours, switches it off, and deletes it', async () => {
    const { wrapper, services, dispose } = await mountCommands();
    try {
      const builtIn = wrapper.findAll('[data-testid="built-in-commands"] tbody tr');
      expect(builtIn).toHaveLength(7);
      expect(builtIn[0]!.text()).toContain('"switch to {profile} profile"');
      expect(wrapper.find('[data-testid="no-user-commands"]').exists()).toBe(true);

      await wrapper.get('#command-id').setValue('search');
      await wrapper.get('#command-phrase').setValue('search the web for {text}');
      await wrapper.get('#command-type').setValue('open-url');
      await wrapper.get('#command-target').setValue('https://duckduckgo.com/?q={text}');
      await wrapper.get('[data-testid="command-editor"]').trigger('submit');
      await vi.waitFor(() =>
        expect(services.settings.get().commands.user).toEqual([
          {
            id: 'search',
            phrase: 'search the web for {text}',
            action: { type: 'open-url', url: 'https://duckduckgo.com/?q={text}' },
            enabled: true,
          },
        ]),
      );
      await flushPromises();
      const row = wrapper.get('[data-command="search"]');
      expect(row.text()).toContain('Open https://duckduckgo.com/?q={text}');

      await row.get('input[type="checkbox"]').setValue(false);
      await vi.waitFor(() => expect(services.settings.get().commands.user[0]?.enabled).toBe(false));
      await flushPromises();
      await wrapper.get('[data-command="search"]').findAll('button')[1]!.trigger('click');
      await vi.waitFor(() => expect(services.settings.get().commands.user).toEqual([]));
    } finally {
      await dispose();
    }
  }, 30_000);

  it('refuses a phrase with an unknown slot and says why; turns programs on; imports a file', async () => {
    const { wrapper, services, dispose } = await mountCommands();
    try {
      await wrapper.get('#command-id').setValue('odd');
      await wrapper.get('#command-phrase').setValue('do {thing} now');
      await wrapper.get('#command-target').setValue('https://example.org/');
      await wrapper.get('[data-testid="command-editor"]').trigger('submit');
      await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true));
      expect(wrapper.get('[role="alert"]').text()).toMatch(/\{thing\} is not a slot/);
      expect(services.settings.get().commands.user).toEqual([]);

      await wrapper.get('[data-testid="allow-programs"]').setValue(true);
      await vi.waitFor(() => expect(services.settings.get().commands.allowPrograms).toBe(true));

      const store = useCommandsStore();
      const file = {
        earshotCommands: 1,
        commands: [
          {
            id: 'calc',
            phrase: 'open the calculator',
            action: { type: 'launch', app: 'org.gnome.Calculator' },
            enabled: true,
          },
        ],
      };
      expect(await store.importFile(JSON.stringify(file))).toBe(true);
      expect(services.settings.get().commands.user.map((c) => c.id)).toEqual(['calc']);
      await flushPromises();
      expect(wrapper.get('[data-testid="commands-info"]').text()).toBe('Imported 1 command.');
      expect(await store.importFile('{"commands": []}')).toBe(false);
      expect(store.error).toMatch(/not an Earshot commands file/);
    } finally {
      await dispose();
    }
  }, 30_000);

  it("asks in the window before a program command's first run, and answers main with the user's choice", async () => {
    const { api, services } = await loopbackBridge(tempDir());
    installBridge(api);
    setActivePinia(createPinia());
    const store = useCommandsStore();
    const unsubscribe = store.subscribe(() => undefined);
    const dialog = mount(ProgramConfirmDialog);
    try {
      const command = {
        id: 'note',
        phrase: 'take a note {text}',
        action: { type: 'run' as const, program: '/usr/bin/tee', args: ['-a', 'notes.txt'] },
        enabled: true,
      };
      const first = services.confirmations.ask(command);
      await flushPromises();
      expect(dialog.get('[role="alertdialog"]').text()).toContain('Allow "note" to run a program?');
      expect(dialog.get('code').text()).toBe('/usr/bin/tee -a notes.txt');
      await dialog.get('[data-testid="confirm-allow"]').trigger('click');
      expect(await first).toBe(true);
      await flushPromises();
      expect(dialog.find('[role="alertdialog"]').exists()).toBe(false);

      const second = services.confirmations.ask(command);
      await flushPromises();
      await dialog.get('[data-testid="confirm-deny"]').trigger('click');
      expect(await second).toBe(false);
    } finally {
      unsubscribe();
      await services.dispose();
    }
  });
});
