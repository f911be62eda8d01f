import { BrowserWindow, shell } from 'electron';
import { join } from 'node:path';

/**
 * The one window. Sandboxed, isolated and without Node; the preload exposes only the named
 * API derived from the IPC contract.
 */
export function createMainWindow(rendererUrl: string, iconPath: string, showWhenReady = true): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'Earshot',
    icon: iconPath,
    autoHideMenuBar: true,
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  // "Start hidden": the window loads, and waits in the tray until asked for.
  if (showWhenReady) window.once('ready-to-show', () => window.show());
  void window.loadURL(rendererUrl);
  return window;
}

/**
 * Navigation and new windows are blocked for every web contents. Plain https links (e.g. a
 * model's licence page) open in the user's browser instead.
 */
export function lockDownNavigation(contents: Electron.WebContents, rendererUrl: string): void {
  const allowed = new URL(rendererUrl);
  contents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event, url) => {
    const target = new URL(url);
    if (target.protocol !== allowed.protocol || target.host !== allowed.host) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
}
