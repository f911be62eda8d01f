import { randomUUID } from 'node:crypto';
import type { UserCommand } from '../../shared/commands';
import type { CommandsService } from '../actions/commands-service';
import type { EventHub } from './event-hub';
import type { IpcRouter } from './router';

/** How long a program command waits for the window's yes or no before it counts as a no. */
export const CONFIRM_TIMEOUT_MS = 120_000;

/**
 * First runs of program commands waiting for the user: each is asked in the window
 * (`commands:confirm-request`) and answered with `commands:confirm`; no answer in time is a no.
 */
export class ProgramConfirmations {
  private readonly pending = new Map<string, (allow: boolean) => void>();

  constructor(private readonly events: EventHub) {}

  ask(command: UserCommand): Promise<boolean> {
    const requestId = randomUUID();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answer(requestId, false), CONFIRM_TIMEOUT_MS);
      this.pending.set(requestId, (allow) => {
        clearTimeout(timer);
        resolve(allow);
      });
      this.events.emit('commands:confirm-request', { requestId, command });
    });
  }

  /** True when the request was still waiting. */
  answer(requestId: string, allow: boolean): boolean {
    const resolve = this.pending.get(requestId);
    if (!resolve) return false;
    this.pending.delete(requestId);
    resolve(allow);
    return true;
  }
}

/** The Commands view's part of the IPC contract. */
export function bindCommands(
  commands: CommandsService,
  confirmations: ProgramConfirmations,
  router: IpcRouter,
): (() => void)[] {
  return [
    router.handle('commands:get', () => commands.overview()),
    router.handle('commands:update', (patch) => commands.update(patch)),
    router.handle('commands:import', ({ text }) => commands.import(text)),
    router.handle('commands:export', () => commands.export()),
    router.handle('commands:confirm', ({ requestId, allow }) => ({ pending: confirmations.answer(requestId, allow) })),
  ];
}
