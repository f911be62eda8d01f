import { defineStore } from 'pinia';
import { ref } from 'vue';
import { AppError, type Notice } from '../../shared/errors';
import type { AppInfo } from '../../shared/ipc/contract';
import { bridge } from '../bridge';

/** App-wide state: who we are, the host connection, and notices for the user. */
export const useAppStore = defineStore('app', () => {
  const info = ref<AppInfo | null>(null);
  const notices = ref<Notice[]>([]);
  const connected = ref(false);
  const connectionProblem = ref<string | null>(null);
  const error = ref<string | null>(null);

  function setConnection(isConnected: boolean, reason?: string): void {
    connected.value = isConnected;
    connectionProblem.value = isConnected ? null : (reason ?? 'Not connected to Earshot.');
  }

  async function load(): Promise<void> {
    try {
      info.value = await bridge().getAppInfo();
      notices.value = [...info.value.notices];
      error.value = null;
    } catch (err) {
      error.value = err instanceof AppError ? err.message : String(err);
    }
  }

  function dismissNotice(index: number): void {
    notices.value.splice(index, 1);
  }

  function subscribe(): () => void {
    return bridge().onNotice((notice) => notices.value.push(notice));
  }

  return { info, notices, connected, connectionProblem, error, setConnection, load, dismissNotice, subscribe };
});
