/// <reference types="vite/client" />
import type { EarshotRawApi } from '../shared/ipc/api';

declare global {
  interface Window {
    /** Present only inside the Electron window (exposed by the preload). */
    earshot?: EarshotRawApi;
  }
}
