import { app } from 'electron';
import type { WindowGpu } from '../../../shared/metrics';
import { windowGpuFrom } from '../../metrics/window-gpu';

/**
 * The desktop app's window GPU. The complete report is gathered once (it can start a GPU info
 * process and take a while); the feature status, which changes when Chromium falls back to
 * software after a GPU crash, is read at each snapshot. Not run here: no Electron binary
 * installs on these machines.
 */
export function electronWindowGpu(): () => Promise<WindowGpu | null> {
  let info: Promise<unknown> | undefined;
  return async () => {
    info ??= app.getGPUInfo('complete').catch(() => app.getGPUInfo('basic'));
    return windowGpuFrom(await info, app.getGPUFeatureStatus() as unknown as Record<string, string>);
  };
}
