/** A message channel to the inference worker: a utility-process port in Electron, a child-process IPC channel headless. */
export interface WorkerChannel {
  /** Serialises synchronously (structured clone), so the caller may reuse buffers right after. */
  post(message: unknown): void;
  onMessage(handler: (message: unknown) => void): () => void;
}
