// The desktop window's GPU as the Monitor shows it, from Chromium's GPUInfo (tests/fixtures/chromium/gpu-info.json: the shape of Electron's own example response for app.getGPUInfo, with the device fields newer Chromium adds) and its feature status; anything not in the expected shape is left out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { windowGpuFrom } from '../../../src/main/metrics/window-gpu';

/** Chromium's report on a laptop with an Intel iGPU active and an NVIDIA card idle. */
const CHROMIUM_GPU_INFO: unknown = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/chromium/gpu-info.json'), 'utf8'),
);

const FEATURES = {
  '2d_canvas': 'enabled',
  gpu_compositing: 'enabled',
  rasterization: 'enabled',
  video_decode: 'enabled',
  webgl: 'enabled',
  webgpu: 'disabled_off',
};

describe('window GPU', () => {
  it('keeps the renderer, each device with hex PCI ids, and the feature status', () => {
    expect(windowGpuFrom(CHROMIUM_GPU_INFO, FEATURES)).toEqual({
      renderer: 'ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6)',
      devices: [
        { vendorId: '8086', deviceId: '5917', active: true, name: 'Intel(R) UHD Graphics 620', driver: '23.2.1' },
        { vendorId: '10de', deviceId: '1c8d', active: false, name: null, driver: null },
      ],
      features: FEATURES,
    });
  });

  it('leaves out what is missing or of another shape, instead of trusting it', () => {
    expect(windowGpuFrom(undefined, {})).toEqual({ renderer: null, devices: [], features: {} });
    expect(
      windowGpuFrom(
        { auxAttributes: { glRenderer: 7 }, gpuDevice: [{ vendorId: 'x', active: 'yes' }] },
        {
          webgl: 'enabled',
          odd: 3 as unknown as string,
        },
      ),
    ).toEqual({
      renderer: null,
      devices: [{ vendorId: '????', deviceId: '????', active: false, name: null, driver: null }],
      features: { webgl: 'enabled' },
    });
  });
});
