// The proof of work of a waiting-room join, found by a worker (pow.worker.ts) so that the page
// stays responsive; the worker's script is its own file, loaded only when a proof is asked.
import type { ProofMessage, ProofRequest } from './pow.worker';

/** A nonce for `challenge`; `onProgress` hears how many were tried. Aborting stops the worker. */
export function solveProof(
  request: ProofRequest,
  onProgress: (tried: number) => void,
  signal: AbortSignal,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./pow.worker.ts', import.meta.url), { type: 'module' });
    const fail = (error: Error) => {
      worker.terminate();
      reject(error);
    };
    signal.addEventListener('abort', () => fail(new DOMException('stopped', 'AbortError')), { once: true });
    worker.onerror = (e) => fail(new Error(e.message || 'the proof of work could not start'));
    worker.onmessage = (e: MessageEvent<ProofMessage>) => {
      const message = e.data;
      if ('tried' in message) return onProgress(message.tried);
      worker.terminate();
      if ('nonce' in message) resolve(message.nonce);
      else reject(new Error(message.error));
    };
    worker.postMessage(request);
  });
}
