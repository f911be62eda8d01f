import { execFile } from 'node:child_process';
import type { GpuAdapter } from '../../shared/metrics';

/**
 * GPU adapters through `nvidia-smi`'s query interface, the interface NVIDIA documents for scripts
 * (`--query-gpu=… --format=csv,noheader,nounits`: one line per GPU, fields in the order asked,
 * "[N/A]" or "[Not Supported]" where a value is unknown). Other vendors' adapters are not read
 * yet: with no nvidia-smi the report is empty, and inference runs on the CPU either way (the
 * profiles use the CPU execution provider).
 */
const FIELDS = [
  'index',
  'name',
  'driver_version',
  'utilization.gpu',
  'memory.used',
  'memory.total',
  'temperature.gpu',
] as const;
const MIB = 2 ** 20;
const TIMEOUT_MS = 3000;

export function parseNvidiaSmiCsv(text: string): GpuAdapter[] {
  const number = (v: string | undefined): number | null => {
    const n = Number(v);
    return v === undefined || v === '' || v.startsWith('[') || !Number.isFinite(n) ? null : n;
  };
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [index, name, driver, utilization, used, total, temperature] = line.split(',').map((f) => f.trim());
      const usedMiB = number(used);
      const totalMiB = number(total);
      return {
        index: number(index) ?? 0,
        name: name ?? 'NVIDIA GPU',
        vendor: 'NVIDIA',
        driver: driver && !driver.startsWith('[') ? driver : null,
        utilizationPercent: number(utilization),
        memoryUsedBytes: usedMiB === null ? null : usedMiB * MIB,
        memoryTotalBytes: totalMiB === null ? null : totalMiB * MIB,
        temperatureC: number(temperature),
      };
    });
}

/** Runs nvidia-smi (`command` for tests and other installs); no nvidia-smi, or a failing one, gives no adapters. */
export function readNvidiaGpus(command = 'nvidia-smi'): Promise<GpuAdapter[]> {
  return new Promise((resolve) => {
    execFile(
      command,
      [`--query-gpu=${FIELDS.join(',')}`, '--format=csv,noheader,nounits'],
      { timeout: TIMEOUT_MS, windowsHide: true },
      (error, stdout) => resolve(error ? [] : parseNvidiaSmiCsv(stdout)),
    );
  });
}
