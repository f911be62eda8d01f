import type { Ref } from 'vue';
import { messageOf } from './error-message';

/**
 * A store's call to main that saves something: `busy` is set while it runs, a failure lands in
 * `error` as the sentence to show (and a success clears it). Resolves true when it went through.
 */
export async function busyCall(
  busy: Ref<boolean>,
  error: Ref<string | null>,
  work: () => Promise<unknown>,
): Promise<boolean> {
  busy.value = true;
  try {
    await work();
    error.value = null;
    return true;
  } catch (err) {
    error.value = messageOf(err);
    return false;
  } finally {
    busy.value = false;
  }
}
