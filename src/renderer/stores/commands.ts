import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { CommandSettings, CommandsOverview, ProgramConfirmation } from '../../shared/commands';
import { bridge } from '../bridge';
import { busyCall } from './busy-call';
import { messageOf } from './error-message';

/** Voice commands: the built-in ones, the user's (saved by main), and program runs waiting for a yes or no. */
export const useCommandsStore = defineStore('commands', () => {
  const overview = ref<CommandsOverview | null>(null);
  const saving = ref(false);
  const error = ref<string | null>(null);
  const info = ref<string | null>(null);
  /** Program commands' first runs waiting for the user's answer, oldest first. */
  const confirmations = ref<ProgramConfirmation[]>([]);

  async function load(): Promise<void> {
    try {
      overview.value = await bridge().getCommands();
      error.value = null;
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  function save(work: () => Promise<CommandsOverview>): Promise<boolean> {
    info.value = null;
    return busyCall(saving, error, async () => (overview.value = await work()));
  }

  function update(patch: Partial<Omit<CommandSettings, 'confirmedPrograms'>>): Promise<boolean> {
    return save(() => bridge().updateCommands(patch));
  }

  function importFile(text: string): Promise<boolean> {
    let imported = 0;
    return save(async () => {
      const result = await bridge().importCommands({ text });
      imported = result.imported;
      return result.overview;
    }).then((ok) => {
      if (ok) info.value = `Imported ${imported} command${imported === 1 ? '' : 's'}.`;
      return ok;
    });
  }

  /** The export file's text. */
  async function exportText(): Promise<string> {
    return JSON.stringify(await bridge().exportCommands(), null, 2) + '\n';
  }

  async function answer(requestId: string, allow: boolean): Promise<void> {
    confirmations.value = confirmations.value.filter((c) => c.requestId !== requestId);
    try {
      await bridge().confirmProgram({ requestId, allow });
      if (allow) await load();
    } catch (err) {
      error.value = messageOf(err);
    }
  }

  /**
   * Confirmation requests and views asked for by voice ("open the monitor"), for the whole app:
   * they come whatever view is open.
   */
  function subscribe(showView: (view: string) => void): () => void {
    const api = bridge();
    const offs = [
      api.onProgramConfirmation((request) => {
        confirmations.value.push(request);
      }),
      api.onShowView(({ view }) => showView(view)),
    ];
    return () => offs.splice(0).forEach((off) => off());
  }

  return { overview, saving, error, info, confirmations, load, update, importFile, exportText, answer, subscribe };
});
