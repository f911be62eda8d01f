import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { CommandAction } from '../../shared/commands';
import type { KeySender } from './desktop';
import { firstLine } from '../../shared/errors';
import { ActionFailed, runTool } from './run-tool';
import { postLocalJson } from './local-webhook';

/** How long a program may run before it counts as started (and left running) rather than finished. */
export const PROGRAM_WAIT_MS = 5000;

/** What a user command's action did: ok, and a sentence either way. */
export interface ActionResult {
  ok: boolean;
  message: string;
}

/** Opens addresses and applications the platform's way. */
export interface SystemOpener {
  openUrl(url: string): Promise<void>;
  launch(app: string): Promise<void>;
}

/**
 * xdg-open and gtk-launch on Linux, `open` on macOS, explorer on Windows (never `cmd /c start`:
 * that goes through a shell). The desktop app uses Electron's shell for addresses instead.
 */
export function systemOpener(platform: NodeJS.Platform = process.platform): SystemOpener {
  if (platform === 'darwin')
    return { openUrl: (url) => detached('open', [url]), launch: (app) => detached('open', ['-a', app]) };
  if (platform === 'win32')
    return {
      openUrl: (url) => detached('explorer.exe', [url]),
      launch: () => Promise.reject(new ActionFailed('Launching applications by name is not supported on Windows yet.')),
    };
  return {
    openUrl: (url) => detached('xdg-open', [url]),
    // gtk-launch starts a desktop entry by its id ("org.gnome.Calculator" or "firefox").
    launch: (app) => detached('gtk-launch', [app.replace(/\.desktop$/, '')]),
  };
}

/**
 * A template's `{slot}`s filled in, each value through `encode` (URL-encoded in an address,
 * JSON-escaped in a body, as is in an argument). A slot the phrase did not fill is an error.
 */
export function fillTemplate(template: string, slots: Record<string, string>, encode: (v: string) => string): string {
  return template.replace(/\{([a-z]+)\}/g, (_match, name: string) => {
    const value = slots[name];
    if (value === undefined) throw new ActionFailed(`The command uses {${name}}, which its phrase does not fill.`);
    return encode(value);
  });
}

/** Identifies a program command's first run: a confirmed command that is then changed asks again. */
export function programFingerprint(id: string, action: Extract<CommandAction, { type: 'run' }>): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([action.program, action.args]))
    .digest('hex');
  return `${id}:${digest.slice(0, 16)}`;
}

/** Runs a user command's action with the slots heard; never throws. */
export async function runAction(
  action: CommandAction,
  slots: Record<string, string>,
  tools: { opener: SystemOpener; keys: KeySender | null },
): Promise<ActionResult> {
  try {
    switch (action.type) {
      case 'open-url': {
        const url = fillTemplate(action.url, slots, encodeURIComponent);
        await tools.opener.openUrl(url);
        return { ok: true, message: `Opened ${url}.` };
      }
      case 'launch':
        await tools.opener.launch(action.app);
        return { ok: true, message: `Started ${action.app}.` };
      case 'shortcut': {
        if (!tools.keys?.press) throw new ActionFailed('Keys cannot be sent to other apps here.');
        await tools.keys.press(action.keys);
        return { ok: true, message: `Pressed ${action.keys}.` };
      }
      case 'webhook': {
        const url = fillTemplate(action.url, slots, encodeURIComponent);
        const body = fillTemplate(action.body, slots, (v) => JSON.stringify(v).slice(1, -1));
        const status = await postLocalJson(url, body);
        return { ok: true, message: `Sent to ${url} (${status}).` };
      }
      case 'run':
        return await runProgram(
          action.program,
          action.args.map((arg) => fillTemplate(arg, slots, (v) => v)),
        );
    }
  } catch (error) {
    return { ok: false, message: error instanceof ActionFailed ? error.message : firstLine(error) };
  }
}

/**
 * Runs a program without a shell: each argument reaches it as one argument, whatever it holds
 * (a slot's `$(…)`, `;` or quotes are just characters). It finished well (exit 0), failed (its
 * first line of stderr), or is still running after PROGRAM_WAIT_MS (left running, as an app would be).
 */
export function runProgram(program: string, args: readonly string[]): Promise<ActionResult> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'], shell: false, detached: true });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.stderr.destroy();
      child.unref();
      resolve({ ok: true, message: `Started ${program}.` });
    }, PROGRAM_WAIT_MS);
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({
        ok: false,
        message:
          error.code === 'ENOENT'
            ? `There is no program "${program}": check its name or give its full path.`
            : `${program} could not be started (${firstLine(error)}).`,
      });
    });
    // 'close', not 'exit': stderr may still be on its way when the process has exited.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return resolve({ ok: true, message: `Ran ${program}.` });
      const detail = stderr.trim().split('\n')[0];
      resolve({
        ok: false,
        message: `${program} ${signal ? `was stopped (${signal})` : `exited with code ${code}`}${detail ? `: ${detail}` : ''}.`,
      });
    });
  });
}

/** Starts an opener (xdg-open, open) and waits only for it to hand over. */
async function detached(command: string, args: string[]): Promise<void> {
  try {
    await runTool(command, args, { timeoutMs: 10_000 });
  } catch (error) {
    throw new ActionFailed(`${command} failed (${firstLine(error)}).`);
  }
}
