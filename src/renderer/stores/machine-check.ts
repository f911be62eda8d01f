import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { MachineCheck } from '../../shared/machine-check';
import { bridge } from '../bridge';
import { busyCall } from './busy-call';

/** The machine check (Profiles view and first-run setup): its progress and its last result. */
export const useMachineCheckStore = defineStore('machine-check', () => {
  const result = ref<MachineCheck | null>(null);
  const running = ref(false);
  /** The preset being measured now. */
  const progress = ref<{ name: string; index: number; count: number } | null>(null);
  const error = ref<string | null>(null);

  function run(): Promise<boolean> {
    progress.value = null;
    const off = bridge().onMachineCheckProgress((step) => (progress.value = step));
    return busyCall(running, error, async () => {
      result.value = await bridge().checkMachine();
    }).finally(() => {
      off();
      progress.value = null;
    });
  }

  return { result, running, progress, error, run };
});
