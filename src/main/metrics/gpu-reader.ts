import { execFile } from 'node:child_process';
import si, { type Systeminformation } from 'systeminformation';
import type { GpuAdapter } from '../../shared/metrics';

/**
 * GPU adapters through `nvidia-smi`'s query interface, the interface NVIDIA documents for scripts
 * (`--query-gpu=… --format=csv,noheader,nounits`: one line per GPU, fields in the order asked,
 * "[N/A]" or "[Not Supported]" where a value is unknown). Other vendors' adapters come from
 * systeminformation (lspci on Linux, system_profiler on macOS, WMI on Windows): name, vendor and
 * memory, but no utilisation, which their drivers do not report through it. With none, the report
 * is empty, and inference runs on the CPU either way (the profiles use the CPU execution provider).
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

/** NVIDIA's PCI vendor id: its adapters are read through nvidia-smi, with their utilisation. */
const NVIDIA = /nvidia|^(0x)?10de$/i;

/** Other vendors' adapters from systeminformation's controllers, numbered after the NVIDIA ones. */
export function adaptersOfOtherVendors(
  controllers: readonly Systeminformation.GraphicsControllerData[],
  firstIndex: number,
): GpuAdapter[] {
  const mib = (v: number | null | undefined) => (v === null || v === undefined || v <= 0 ? null : v * MIB);
  return controllers
    .filter((c) => !NVIDIA.test(c.vendor) && !NVIDIA.test(c.vendorId ?? ''))
    .map((c, i) => ({
      index: firstIndex + i,
      name: c.model || c.name || 'GPU',
      vendor: c.vendor || 'unknown vendor',
      driver: c.driverVersion || null,
      utilizationPercent: c.utilizationGpu ?? null,
      memoryUsedBytes: mib(c.memoryUsed),
      // Shared memory of an integrated GPU is the system's, not its own.
      memoryTotalBytes: c.vramDynamic ? null : mib(c.vram ?? c.memoryTotal),
      temperatureC: c.temperatureGpu ?? null,
    }));
}

/** How often the other vendors' adapters are looked up again: what it reports of them barely changes. */
const OTHERS_READ_MS = 60_000;

/**
 * Every GPU adapter: NVIDIA's through nvidia-smi at each call, the others' through
 * systeminformation at most once a minute (it also starts nvidia-smi, and lspci, on each call).
 */
export class GpuReader {
  private others: { adapters: Systeminformation.GraphicsControllerData[]; at: number } | undefined;

  constructor(
    private readonly nvidiaSmi = 'nvidia-smi',
    private readonly controllers: () => Promise<Systeminformation.GraphicsControllerData[]> = async () =>
      (await si.graphics()).controllers,
  ) {}

  async read(): Promise<GpuAdapter[]> {
    const nvidia = await readNvidiaGpus(this.nvidiaSmi);
    const now = performance.now();
    if (!this.others || now - this.others.at >= OTHERS_READ_MS) {
      let adapters: Systeminformation.GraphicsControllerData[] = [];
      try {
        adapters = await this.controllers();
      } catch {
        // No lspci, no WMI: no other adapters known.
      }
      this.others = { adapters, at: now };
    }
    return [...nvidia, ...adaptersOfOtherVendors(this.others.adapters, nvidia.length)];
  }
}
