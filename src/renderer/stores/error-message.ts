import { AppError } from '../../shared/errors';

/** The sentence to show for a failed call: a named error's own message, else a generic one. */
export function messageOf(err: unknown): string {
  return err instanceof AppError ? err.message : 'Earshot could not complete that request.';
}
