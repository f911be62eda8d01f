// @vitest-environment happy-dom
// The Monitor view over the real metrics service behind the loopback bridge: the desktop window's GPU (Chromium's report, through the parser the Electron host uses) with its features, and the Prometheus endpoint card, off until turned on.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import { windowGpuFrom } from '../../../src/main/metrics/window-gpu';
import type { AppServices } from '../../../src/main/host/services';
import MonitorView from '../../../src/renderer/views/MonitorView.vue';
import { installBridge } from '../../../src/renderer/bridge';
import { loopbackBridge } from '../../support/loopback-bridge';
import { useTempDirs } from '../../support/temp-dir';

const tempDir = useTempDirs();
let services: AppServices | undefined;
afterEach(async () => {
  await services?.dispose();
  services = undefined;
});

/** What Chromium reports on a laptop with an Intel iGPU active and an NVIDIA card idle. */
const CHROMIUM_GPU_INFO: unknown = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../fixtures/chromium/gpu-info.json'), 'utf8'),
);

describe('Monitor view', () => {
  it("shows the desktop window's GPU and what Chromium accelerates on it", async () => {
    setActivePinia(createPinia());
    const bridge = await loopbackBridge(tempDir(), {
      windowGpu: async () =>
        windowGpuFrom(CHROMIUM_GPU_INFO, { gpu_compositing: 'enabled', webgl: 'unavailable_software' }),
    });
    services = bridge.services;
    installBridge(bridge.api);
    const view = mount(MonitorView);
    await flushPromises();
    const card = view.get('[data-testid="window-gpu"]');
    expect(card.text().replace(/\s+/g, ' ')).toContain(
      'Drawn by ANGLE (Intel, Mesa Intel(R) UHD Graphics 620 (KBL GT2), OpenGL 4.6) on Intel(R) UHD Graphics 620 (driver 23.2.1).',
    );
    expect(card.text()).toContain('gpu compositing');
    expect(card.text()).toContain('unavailable software');
    // The endpoint is off: its card offers the switch, and no address or token.
    expect(view.find('[data-testid="metrics-endpoint-enabled"]').exists()).toBe(true);
    expect(view.find('[data-testid="metrics-endpoint-address"]').exists()).toBe(false);
    view.unmount();
  });

  it('shows no window GPU outside the desktop app', async () => {
    setActivePinia(createPinia());
    const bridge = await loopbackBridge(tempDir());
    services = bridge.services;
    installBridge(bridge.api);
    const view = mount(MonitorView);
    await flushPromises();
    expect(view.find('[data-testid="window-gpu"]').exists()).toBe(false);
    view.unmount();
  });
});
