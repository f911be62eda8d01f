import { app } from 'electron';
import type { ProcessUsage } from '../../../shared/metrics';
import type { ProcessUsageSource } from '../../metrics/process-usage';
import { mainAndWorkerUsage } from '../services';

/**
 * The desktop app's processes: main and the worker as everywhere (by pid), plus the renderer and
 * GPU processes from Electron's own accounting (`app.getAppMetrics()`, its working set in KiB and
 * CPU since its previous call). Not run here: no Electron binary installs on these machines.
 */
export function electronProcessUsage(workerPid: () => number | undefined): ProcessUsageSource {
  const byPid = mainAndWorkerUsage(workerPid);
  return async () => {
    const chromium: ProcessUsage[] = app.getAppMetrics().flatMap((m) => {
      const process = m.type === 'Tab' ? 'renderer' : m.type === 'GPU' ? 'gpu' : undefined;
      if (!process) return [];
      return [
        { process, pid: m.pid, cpuPercent: m.cpu.percentCPUUsage, residentBytes: m.memory.workingSetSize * 1024 },
      ];
    });
    return [...(await byPid()), ...chromium];
  };
}
