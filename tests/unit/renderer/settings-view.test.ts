// @vitest-environment happy-dom
// The Settings view over the real services: the session's switches, where transcripts go, the keys (typed or pressed), the app's look and start-up, the folders, and resetting everything with the old file kept.
import { flushPromises } from '@vue/test-utils';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { acceleratorFromEvent } from '../../../src/renderer/composables/useAccelerator';
import SettingsView from '../../../src/renderer/views/SettingsView.vue';
import { useAppStore } from '../../../src/renderer/stores/app';
import { mountWithSession } from '../../support/session-view';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();

async function mountSettings(dir = tempDir()) {
  const mounted = await mountWithSession(SettingsView, dir);
  await useAppStore().load();
  await flushPromises();
  return mounted;
}

describe('SettingsView', () => {
  it('saves each option switch in the settings and reflects changes made elsewhere', async () => {
    const live = await mountSettings();
    try {
      const box = (key: string) => live.wrapper.get(`#option-${key}`);
      const checked = (key: string) => (box(key).element as HTMLInputElement).checked;
      expect([checked('cueSound'), checked('retainAudio')]).toEqual([true, false]);
      expect(live.wrapper.get('label[for="option-retainAudio"]').text()).toBe('Keep recordings of utterances');

      await box('cueSound').setValue(false);
      await vi.waitFor(() => expect(live.services.settings.get().session.cueSound).toBe(false));
      await flushPromises();
      await box('retainAudio').setValue(true);
      await vi.waitFor(() => expect(live.services.settings.get().session.retainAudio).toBe(true));
      await flushPromises();
      expect(live.services.settings.get().session).toMatchObject({ cueSound: false, retainAudio: true });
      expect([checked('cueSound'), checked('retainAudio')]).toEqual([false, true]);

      // Another window (or the CLI) changes an option: session:status-changed brings it here.
      live.services.session.setOptions({ retainAudio: false });
      await flushPromises();
      expect(checked('retainAudio')).toBe(false);
    } finally {
      await live.dispose();
    }
  });

  it('saves the size kept recordings may use, and refuses one below the minimum with the reason', async () => {
    const live = await mountSettings();
    try {
      const form = live.wrapper.get('[data-testid="recordings-cap"]');
      expect((form.get('#recordings-cap').element as HTMLInputElement).value).toBe('256');
      await form.get('#recordings-cap').setValue('64');
      await form.trigger('submit');
      await vi.waitFor(() => expect(live.services.settings.get().session.recordingsCapMb).toBe(64));
      await flushPromises();

      await form.get('#recordings-cap').setValue('8');
      await form.trigger('submit');
      await vi.waitFor(() => expect(live.wrapper.find('[role="alert"]').exists()).toBe(true));
      expect(live.wrapper.get('[role="alert"]').text()).toMatch(/recordingsCapMb/);
      expect(live.services.settings.get().session.recordingsCapMb).toBe(64);
    } finally {
      await live.dispose();
    }
  });

  it('saves where transcripts go, the full stop and terminal switches, and the excluded apps', async () => {
    const live = await mountSettings();
    try {
      const card = live.wrapper.get('[data-testid="output-options"]');
      const radio = (mode: string) => card.get(`[data-testid="output-${mode}"]`).element as HTMLInputElement;
      expect(['paste', 'type', 'clipboard', 'history'].map((m) => radio(m).checked)).toEqual([
        true,
        false,
        false,
        false,
      ]);
      await card.get('[data-testid="output-type"]').setValue(true);
      await vi.waitFor(() => expect(live.services.settings.get().session.output).toBe('type'));
      await flushPromises();
      expect(radio('type').checked).toBe(true);

      await card.get('#output-keepTrailingPeriod').setValue(false);
      await vi.waitFor(() => expect(live.services.settings.get().session.keepTrailingPeriod).toBe(false));
      await flushPromises();
      await card.get('#output-typeIntoTerminals').setValue(true);
      await vi.waitFor(() => expect(live.services.settings.get().session.typeIntoTerminals).toBe(true));
      await flushPromises();

      const apps = card.get('[data-testid="excluded-apps"]');
      expect((apps.element as HTMLTextAreaElement).value.split('\n')).toContain('keepassxc');
      await apps.setValue('KeePassXC\n  signal  \n\nkeepassxc\nKeePassXC');
      await card.get('form').trigger('submit');
      await vi.waitFor(() =>
        expect(live.services.settings.get().session.excludedApps).toEqual(['KeePassXC', 'signal', 'keepassxc']),
      );
    } finally {
      await live.dispose();
    }
  });

  it('shows the hold key and why it is not active here, refuses a name that is no key, and saves another', async () => {
    const live = await mountSettings();
    try {
      const hold = live.wrapper.get('[data-testid="hold-key"]');
      expect(hold.get('kbd').text()).toBe('RightCtrl');
      expect(hold.get('[data-testid="hold-key-problem"]').text()).toBe(
        'Not active: The hold key works in the desktop app, and with `earshot serve --hold-key`.',
      );
      await live.wrapper.get('#hold-key-input').setValue('Hyper');
      await hold.get('form').trigger('submit');
      await vi.waitFor(() => expect(live.wrapper.find('[role="alert"]').exists()).toBe(true));
      expect(live.wrapper.get('[role="alert"]').text()).toMatch(
        /holdKey The hold key "Hyper" names no key Earshot knows/,
      );
      expect(live.services.settings.get().session.holdKey).toBe('RightCtrl');
      await live.wrapper.get('#hold-key-input').setValue('F9');
      await hold.get('form').trigger('submit');
      await vi.waitFor(() => expect(live.services.settings.get().session.holdKey).toBe('F9'));
    } finally {
      await live.dispose();
    }
  });

  it('shows the shortcut and why it is not active, and the error of a malformed request', async () => {
    const live = await mountSettings();
    try {
      const shortcut = live.wrapper.get('[data-testid="shortcut"]');
      expect(shortcut.get('kbd').text()).toBe('CommandOrControl+Shift+Space');
      expect(shortcut.get('[data-testid="shortcut-problem"]').text()).toBe(
        'Not active: Global shortcuts work in the desktop app only.',
      );
      expect(live.wrapper.find('[role="alert"]').exists()).toBe(false);

      // Space alone would be taken from every other app: main's schema refuses it.
      await live.wrapper.get('#shortcut-input').setValue('Space');
      await live.wrapper.get('.shortcut-form').trigger('submit');
      await vi.waitFor(() => expect(live.wrapper.find('[role="alert"]').exists()).toBe(true));
      // InvalidPayload: main's schema check, before any service ran.
      expect(live.wrapper.get('[role="alert"]').text()).toMatch(
        /^Malformed request for session:set-options: toggleShortcut \S/,
      );
      expect(live.services.settings.get().session.toggleShortcut).toBe('CommandOrControl+Shift+Space');

      await live.wrapper.get('#shortcut-input').setValue('Ctrl+Alt+J');
      await live.wrapper.get('.shortcut-form').trigger('submit');
      await vi.waitFor(() => expect(live.services.settings.get().session.toggleShortcut).toBe('Ctrl+Alt+J'));
      await flushPromises();
      expect(live.wrapper.find('[role="alert"]').exists()).toBe(false);
      expect((live.wrapper.get('#shortcut-input').element as HTMLInputElement).value).toBe('Ctrl+Alt+J');
    } finally {
      await live.dispose();
    }
  });

  it('saves the theme and start-up, says start-up is for the desktop app here, and opens the folders', async () => {
    const dir = tempDir();
    const live = await mountSettings(dir);
    try {
      await live.wrapper.get('[data-testid="theme-dark"]').setValue(true);
      await vi.waitFor(() => expect(live.services.settings.get().app.theme).toBe('dark'));
      await live.wrapper.get('#start-at-login').setValue(true);
      await vi.waitFor(() => expect(live.services.settings.get().app.startAtLogin).toBe(true));
      await live.wrapper.get('#start-hidden').setValue(true);
      await vi.waitFor(() =>
        expect(live.services.settings.get().app).toEqual({
          theme: 'dark',
          startAtLogin: true,
          startHidden: true,
          setupDone: false,
        }),
      );
      expect(live.wrapper.get('[data-testid="start-up-note"]').text()).toMatch(/applies to the desktop app/);
      expect(live.wrapper.get('[data-testid="settings-location"]').text()).toBe(join(dir, 'settings.json'));
      expect(live.wrapper.get('[data-testid="data-location"]').text()).toBe(dir);

      // The desktop's opener, stood in for by a script that records what it was asked to open.
      const calls = join(dir, 'opened.txt');
      const opener = join(dir, 'xdg-open');
      writeFileSync(opener, `#!/bin/sh\necho "$1" >> ${calls}\n`);
      chmodSync(opener, 0o755);
      const path = process.env.PATH;
      process.env.PATH = `${dir}:${path}`;
      try {
        const buttons = live.wrapper.get('[data-testid="locations"]').findAll('button');
        await buttons[0]!.trigger('click');
        await vi.waitFor(() => expect(live.wrapper.find('[data-testid="settings-info"]').exists()).toBe(true));
      } finally {
        process.env.PATH = path;
      }
      expect(readFileSync(calls, 'utf8')).toBe(`${dir}\n`);
    } finally {
      await live.dispose();
    }
  });

  it('resets every setting to its default after a confirmation, keeping the old file', async () => {
    const dir = tempDir();
    const live = await mountSettings(dir);
    try {
      live.services.settings.update({ activeProfileId: 'low-latency' });
      await live.wrapper.get('#option-retainAudio').setValue(true);
      await vi.waitFor(() => expect(live.services.settings.get().session.retainAudio).toBe(true));
      await live.wrapper.get('[data-testid="reset"]').trigger('click');
      await live.wrapper.get('[data-testid="reset-confirm"]').trigger('click');
      await vi.waitFor(() => expect(live.services.settings.get().activeProfileId).toBe('balanced'));
      expect(live.services.settings.get().session.retainAudio).toBe(false);
      await flushPromises();
      const info = live.wrapper.get('[data-testid="settings-info"]').text();
      const backup = /kept at (.+)\.$/.exec(info)?.[1];
      expect(backup).toMatch(/settings\.json\.reset-.*\.bak$/);
      expect(existsSync(backup!)).toBe(true);
      expect(JSON.parse(readFileSync(backup!, 'utf8'))).toMatchObject({ activeProfileId: 'low-latency' });
      expect((live.wrapper.get('#option-retainAudio').element as HTMLInputElement).checked).toBe(false);
    } finally {
      await live.dispose();
    }
  });

  it('fills the shortcut from the keys pressed', async () => {
    const live = await mountSettings();
    try {
      const form = live.wrapper.get('[data-testid="shortcut"]');
      await form
        .findAll('button')
        .find((b) => b.text() === 'Press keys')!
        .trigger('click');
      const input = live.wrapper.get('#shortcut-input');
      await input.trigger('keydown', { key: 'Control', code: 'ControlLeft', ctrlKey: true });
      await input.trigger('keydown', { key: 'k', code: 'KeyK', ctrlKey: true, altKey: true });
      expect((input.element as HTMLInputElement).value).toBe('Ctrl+Alt+K');
      await form.get('form').trigger('submit');
      await vi.waitFor(() => expect(live.services.settings.get().session.toggleShortcut).toBe('Ctrl+Alt+K'));
    } finally {
      await live.dispose();
    }
  });
});

describe('acceleratorFromEvent', () => {
  const press = (
    key: string,
    code: string,
    mods: Partial<Record<'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey', boolean>> = {},
  ) => acceleratorFromEvent({ key, code, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...mods });
  it('names keys as Electron accelerators do, by position for letters and digits', () => {
    expect(press('Shift', 'ShiftLeft', { shiftKey: true })).toBeNull();
    expect(press('Ä', 'KeyA', { ctrlKey: true, shiftKey: true })).toBe('Ctrl+Shift+A');
    expect(press('&', 'Digit1', { altKey: true })).toBe('Alt+1');
    expect(press(' ', 'Space', { ctrlKey: true, metaKey: true })).toBe('Ctrl+Super+Space');
    expect(press('F9', 'F9')).toBe('F9');
    expect(press('ArrowUp', 'ArrowUp', { ctrlKey: true })).toBe('Ctrl+Up');
    expect(press('Dead', 'BracketLeft')).toBeNull();
  });
});
