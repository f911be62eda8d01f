import { app, type BrowserWindow, clipboard, globalShortcut, session, type Tray } from 'electron';
import { join } from 'node:path';
import { forwardEventsTo, registerElectronIpc } from '../../ipc/electron-ipc';
import { trustedOriginOf } from '../../ipc/sender-guard';
import { createLogger } from '../../log';
import { bindToggleShortcut } from '../../session/toggle-shortcut';
import { NaudiodonInput } from '../../audio/naudiodon-input';
import { ElectronStoreSettingsBackend } from '../../settings/electron-store-backend';
import { composeServices, type AppServices } from '../services';
import { addDevCsp, APP_ORIGIN, registerAppScheme, serveRendererFrom } from './app-protocol';
import { createMainWindow, lockDownNavigation } from './main-window';
import { keepSessionLocal } from './privacy';
import { createTray } from './tray';
import { utilityWorkerLauncher } from './utility-worker';
import { electronProcessUsage } from './app-metrics';
import { electronWindowGpu } from './window-gpu';
import { ElectronPasteClipboard } from './electron-paste-clipboard';
import { systemDesktop } from '../../actions/system-desktop';

const log = createLogger('electron');
const WAYLAND = process.platform === 'linux' && process.env.XDG_SESSION_TYPE === 'wayland';

/**
 * The Electron composition root: single instance, the `app://` renderer, the guarded IPC,
 * one window and a tray. Closing the window hides it (Earshot keeps listening); Quit from
 * the tray or the app menu shuts everything down.
 */
export function runElectronApp(): void {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  registerAppScheme();
  // Wayland gives apps no global key grabs; Chromium's portal backend asks the desktop instead
  // (KDE Plasma 6, GNOME 48+, Hyprland). Must be set before ready.
  if (WAYLAND) app.commandLine.appendSwitch('enable-features', 'GlobalShortcutsPortal');

  let window: BrowserWindow | null = null;
  let tray: Tray | null = null;
  let services: AppServices | null = null;
  let quitting = false;

  const show = (): void => {
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  app.on('second-instance', show);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('will-quit', (event) => {
    if (!services) return;
    // Stop capture cleanly before exit (naudiodon streams left open can crash on teardown).
    event.preventDefault();
    const closing = services;
    services = null;
    tray?.destroy();
    void closing.dispose().finally(() => app.quit());
  });

  void app.whenReady().then(() => {
    keepSessionLocal(session.defaultSession, log);
    const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
    const rendererUrl = devServerUrl ?? `${APP_ORIGIN}/index.html`;
    if (devServerUrl) addDevCsp(session.defaultSession, devServerUrl);
    else serveRendererFrom(session.defaultSession, join(import.meta.dirname, '../renderer'));

    services = composeServices({
      host: 'electron',
      settingsBackend: new ElectronStoreSettingsBackend(),
      audioInput: new NaudiodonInput(log),
      workerLauncher: utilityWorkerLauncher(),
      processUsage: electronProcessUsage,
      windowGpu: electronWindowGpu(),
      holdKey: true,
      resourcesDir: join(app.getAppPath(), 'resources'),
      // No historyPath: the history stays in the CLI's data folder, so `earshot history` sees the app's transcripts.
      desktop: systemDesktop(process.env, process.platform, {
        clipboard: { writeText: async (text) => clipboard.writeText(text) },
        pasteClipboard: new ElectronPasteClipboard(clipboard),
        ownWindowFocused: () => window?.isFocused() ?? false,
      }),
      trustedOrigin: trustedOriginOf(rendererUrl),
      electronVersions: { electron: process.versions.electron, chrome: process.versions.chrome },
      log,
    });
    registerElectronIpc(services.router);
    const unbindShortcut = bindToggleShortcut(
      globalShortcut,
      services.session,
      services.settings,
      log,
      WAYLAND
        ? 'On Wayland, global shortcuts go through the desktop portal: allow Earshot in the dialog your desktop shows, or bind the shortcut in its keyboard settings.'
        : null,
    );
    app.on('will-quit', unbindShortcut);

    app.on('web-contents-created', (_event, contents) => lockDownNavigation(contents, rendererUrl));
    const iconPath = join(app.getAppPath(), 'resources', 'icon.png');
    const preferences = services.settings.get().app;
    window = createMainWindow(rendererUrl, iconPath, !preferences.startHidden);
    // Start at login follows the setting, now and whenever it changes.
    const applyLogin = (startAtLogin: boolean) => app.setLoginItemSettings({ openAtLogin: startAtLogin });
    applyLogin(preferences.startAtLogin);
    services.settings.onChange((next, previous) => {
      if (next.app.startAtLogin !== previous.app.startAtLogin) applyLogin(next.app.startAtLogin);
    });
    forwardEventsTo(window.webContents, services.events);
    // "Open Earshot", "open the monitor": the window comes forward (the renderer picks the view).
    services.session.onUpdate((update) => {
      if (update.channel !== 'app:show-view' || !window) return;
      window.show();
      window.focus();
    });
    window.on('close', (event) => {
      if (!quitting) {
        event.preventDefault();
        window?.hide();
      }
    });
    tray = createTray(iconPath, { show, quit: () => app.quit() });
  });

  // With a tray icon the app lives on when its window is closed, on every platform.
  app.on('window-all-closed', () => undefined);
  app.on('activate', show);
}
