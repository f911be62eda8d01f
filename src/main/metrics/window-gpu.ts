import type { WindowGpu } from '../../shared/metrics';

/** The parts of Chromium's GPUInfo (`app.getGPUInfo('complete')`) the Monitor shows; the rest varies by platform. */
interface ChromiumGpuInfo {
  auxAttributes?: { glRenderer?: unknown };
  gpuDevice?: {
    vendorId?: unknown;
    deviceId?: unknown;
    active?: unknown;
    deviceString?: unknown;
    driverVersion?: unknown;
  }[];
}

const hex = (id: unknown): string => (typeof id === 'number' ? id.toString(16).padStart(4, '0') : '????');
const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * Chromium's report, reduced to what the Monitor shows. Electron documents the object only as
 * "the GPU information in Chromium's GPUInfo object" (its fields change between Chromium
 * versions), so every field is checked and an unknown one is left out rather than trusted.
 */
export function windowGpuFrom(info: unknown, features: Record<string, string>): WindowGpu {
  const gpu = (info ?? {}) as ChromiumGpuInfo;
  return {
    renderer: text(gpu.auxAttributes?.glRenderer),
    devices: (Array.isArray(gpu.gpuDevice) ? gpu.gpuDevice : []).map((d) => ({
      vendorId: hex(d.vendorId),
      deviceId: hex(d.deviceId),
      active: d.active === true,
      name: text(d.deviceString),
      driver: text(d.driverVersion),
    })),
    features: Object.fromEntries(Object.entries(features).filter(([, v]) => typeof v === 'string')),
  };
}
