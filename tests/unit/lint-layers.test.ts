// The ESLint layer rules are active: wrong-way imports fail, allowed ones pass.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli-process';

const eslint = new ESLint({ cwd: ROOT });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering lint rules', () => {
  it.each([
    [
      'electron in a service',
      "import { app } from 'electron';\nexport const x = app;\n",
      'src/main/profiles/x.ts',
      /electron/,
    ],
    [
      'raw ipcMain in the Electron host',
      "import { ipcMain } from 'electron';\nexport const x = ipcMain;\n",
      'src/main/host/electron/x.ts',
      /ipcMain/,
    ],
    [
      'raw ipcRenderer in a renderer file',
      "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n",
      'src/renderer/x.ts',
      /electron/,
    ],
    [
      'node:fs in src/shared',
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      'src/shared/x.ts',
      /Node built-ins/,
    ],
    [
      'path in src/shared',
      "import { join } from 'path';\nexport const x = join;\n",
      'src/shared/x.ts',
      /Node built-ins/,
    ],
    [
      'main code in src/shared',
      "import { IpcRouter } from '../main/ipc/router';\nexport const x = IpcRouter;\n",
      'src/shared/x.ts',
      /other layers/,
    ],
    [
      'main code in the renderer',
      "import { IpcRouter } from '../main/ipc/router';\nexport const x = IpcRouter;\n",
      'src/renderer/components/x.ts',
      /only src\/shared/,
    ],
    [
      'the bridge outside stores',
      "import { bridge } from '../bridge';\nexport const x = bridge;\n",
      'src/renderer/components/x.ts',
      /Only Pinia stores/,
    ],
    [
      'onnxruntime-node loaded outside the model loader',
      "import { InferenceSession } from 'onnxruntime-node';\nexport const x = InferenceSession;\n",
      'src/main/worker/wake/x.ts',
      /telemetry off first/,
    ],
    [
      "Electron's crash reporter",
      "import { crashReporter } from 'electron';\nexport const x = crashReporter;\n",
      'src/main/host/electron/x.ts',
      /Earshot sends nothing/,
    ],
    [
      "Electron's auto-updater",
      "import { autoUpdater } from 'electron';\nexport const x = autoUpdater;\n",
      'src/main/host/electron/x.ts',
      /Earshot sends nothing/,
    ],
    ['a default export', 'export default 1;\n', 'src/main/profiles/x.ts', /named exports/],
    ['a camelCase file name', 'export const x = 1;\n', 'src/main/profiles/profileThing.ts', /kebab-case/],
  ])('rejects %s', async (_what, code, file, message) => {
    const messages = await ruleIds(code, file);
    expect(messages.join('\n')).toMatch(message);
  });

  it.each([
    [
      'ipcMain in the IPC wrapper',
      "import { ipcMain } from 'electron';\nexport const x = ipcMain;\n",
      'src/main/ipc/electron-ipc.ts',
    ],
    [
      'electron in the Electron host',
      "import { app } from 'electron';\nexport const x = app;\n",
      'src/main/host/electron/x.ts',
    ],
    [
      'the bridge in a store',
      "import { bridge } from '../bridge';\nexport const x = bridge;\n",
      'src/renderer/stores/x.ts',
    ],
    [
      'shared code in the renderer',
      "import { PRESETS } from '../../shared/profiles';\nexport const x = PRESETS;\n",
      'src/renderer/components/x.ts',
    ],
    [
      'onnxruntime-node in the model loader',
      "import { InferenceSession } from 'onnxruntime-node';\nexport const x = InferenceSession;\n",
      'src/main/worker/models/model-loader.ts',
    ],
    [
      'onnxruntime-node types anywhere in main',
      "import type { InferenceSession } from 'onnxruntime-node';\nexport type X = InferenceSession;\n",
      'src/main/worker/wake/x.ts',
    ],
    [
      'node:fs in main',
      "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      'src/main/profiles/x.ts',
    ],
  ])('allows %s', async (_what, code, file) => {
    expect(await ruleIds(code, file)).toEqual([]);
  });
});
