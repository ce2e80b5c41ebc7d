// Finds the proof of work of a waiting-room join off the main thread (see pow.ts). Told
// { challenge, difficulty }; answers { tried } now and then, then { nonce } or { error }.
import { leadingZeroBits, proofSearch } from './pow';

export type ProofRequest = { challenge: string; difficulty: number };
export type ProofMessage = { tried: number } | { nonce: string } | { error: string };

const STEP = 8192;

self.onmessage = async (e: MessageEvent<ProofRequest>) => {
  const { challenge, difficulty } = e.data;
  const next = proofSearch(challenge, difficulty);
  const post = (message: ProofMessage) => self.postMessage(message);
  for (let tried = 0; ; tried += STEP) {
    const nonce = next(STEP);
    if (nonce === null) {
      post({ tried: tried + STEP });
      continue;
    }
    // The platform's own SHA-256 confirms it (crypto.subtle exists in secure contexts only).
    if (crypto.subtle) {
      const data = new TextEncoder().encode(`${challenge}:${nonce}`);
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
      if (leadingZeroBits(digest) < difficulty) return post({ error: 'the proof of work did not check out' });
    }
    return post({ nonce });
  }
};
