// Electron main entry: everything Electron-specific lives in host/electron.
import { runElectronApp } from './host/electron/electron-app';

runElectronApp();
