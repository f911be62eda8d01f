// Electron main entry: everything Electron-specific lives in host/electron.
import { runElectronApp } from './host/electron/electron-app';
import { applyOnnxRuntimeEnv } from './worker/models/onnx-runtime-env';

// The utility process gets the switch explicitly too (workerProcessEnv); this covers anything else main starts.
applyOnnxRuntimeEnv();
runElectronApp();
