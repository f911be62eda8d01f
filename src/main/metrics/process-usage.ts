import pidusage from 'pidusage';
import type { MonitoredProcess, ProcessUsage } from '../../shared/metrics';

/** Where CPU and memory per process come from, chosen by the composition root. */
export type ProcessUsageSource = () => Promise<ProcessUsage[]>;

/**
 * CPU and resident memory of processes by pid, through pidusage (it reads /proc on Linux, `ps`
 * on macOS, WMI on Windows; kept by its authors for exactly this). CPU is the share of one core
 * since the previous call for that pid. A process that is gone (the worker restarting) is left
 * out of that sample rather than reported as zero.
 */
export function pidUsageSource(
  pids: () => { process: MonitoredProcess; pid: number | undefined }[],
): ProcessUsageSource {
  return async () => {
    const wanted = pids().filter((p): p is { process: MonitoredProcess; pid: number } => p.pid !== undefined);
    const measured = await Promise.all(
      wanted.map(async ({ process, pid }): Promise<ProcessUsage | undefined> => {
        try {
          const stat = await pidusage(pid);
          return { process, pid, cpuPercent: stat.cpu, residentBytes: stat.memory };
        } catch {
          return undefined; // exited between listing and measuring
        }
      }),
    );
    return measured.filter((m): m is ProcessUsage => m !== undefined);
  };
}

/** Forgets pidusage's per-pid history (its timers and state) when monitoring stops. */
export function clearPidUsage(): void {
  pidusage.clear();
}
