import type { WorkerEvent } from '../../shared/worker-protocol';
import type { ModelReporter } from './models/model-loader';

/** A thread's model sessions, reported to main as worker events (the Monitor's loaded models). */
export function modelEvents(emit: (event: WorkerEvent) => void): ModelReporter {
  return {
    loaded: (model) => emit({ type: 'model-loaded', ...model }),
    released: (id) => emit({ type: 'model-released', id }),
  };
}
