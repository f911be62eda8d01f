import type { Profile } from '../../../shared/profiles';
import { WorkerClient } from '../../inference/worker-client';
import { nodeWorkerLauncher } from '../../inference/worker-launcher';
import type { Logger } from '../../log';
import { ProfileService } from '../../profiles/profile-service';
import { configDir, settingsFilePath } from '../../settings/config-dir';
import { JsonFileSettingsBackend } from '../../settings/json-file-backend';
import { SettingsService } from '../../settings/settings-service';

/** The active profile from the user's settings (`--config-dir` aware). */
export function activeProfile(values: Record<string, unknown>, log: Logger): Profile {
  const settings = new SettingsService(
    new JsonFileSettingsBackend(settingsFilePath(configDir(values['config-dir'] as string | undefined))),
    log,
  );
  return new ProfileService(settings, log).active();
}

/** Runs `work` with the inference worker started as a child process, and always shuts it down. */
export async function withWorker<T>(log: Logger, work: (worker: WorkerClient) => Promise<T>): Promise<T> {
  // Whole-file scans of long recordings can take a while on two cores.
  const worker = new WorkerClient(nodeWorkerLauncher(), log, { requestTimeoutMs: 10 * 60_000 });
  try {
    await worker.start();
    return await work(worker);
  } finally {
    await worker.shutdown();
  }
}

/** Nearest-rank percentile of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
