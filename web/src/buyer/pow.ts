// The proof of work a waiting room may ask of a join (hashcash): a decimal nonce such that
// SHA-256(challenge ":" nonce) starts with `difficulty` zero bits. Runs in a worker (pow.worker.ts).
// Every candidate shares the prefix `challenge:`, so its whole 64-byte blocks are hashed once
// and each nonce costs one or two blocks of its own: in plain JavaScript that is ten to twenty
// times faster than a call of crypto.subtle.digest per nonce (an asynchronous round trip each),
// which the worker keeps for checking the nonce it found.

const K = Uint32Array.from([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

const w = new Uint32Array(64);

/** One SHA-256 block (64 bytes of `bytes` from `at`) into `state`. */
function compress(state: Uint32Array, bytes: Uint8Array, at: number): void {
  for (let i = 0; i < 16; i++) {
    const j = at + 4 * i;
    w[i] = (bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15];
    const y = w[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
  }
  let a = state[0], b = state[1], c = state[2], d = state[3];
  let e = state[4], f = state[5], g = state[6], h = state[7];
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

/** Leading zero bits of a digest. */
export function leadingZeroBits(digest: Uint8Array): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** A digest state starts with `difficulty` zero bits. */
function fits(state: Uint32Array, difficulty: number): boolean {
  let i = 0;
  for (; difficulty >= 32; difficulty -= 32, i++) if (state[i] !== 0) return false;
  return difficulty === 0 || state[i] >>> (32 - difficulty) === 0;
}

/**
 * A search from nonce 0 up: each call tries `count` more nonces and returns the first whose
 * hash fits, or null.
 */
export function proofSearch(challenge: string, difficulty: number): (count: number) => string | null {
  const prefix = new TextEncoder().encode(`${challenge}:`);
  const whole = prefix.length - (prefix.length % 64);
  const mid = Uint32Array.from(IV);
  for (let at = 0; at < whole; at += 64) compress(mid, prefix, at);
  // The rest of the prefix, then the nonce's digits, 0x80, zeros and the length in bits.
  const tail = new Uint8Array(128);
  tail.set(prefix.subarray(whole));
  const rest = prefix.length - whole;
  const state = new Uint32Array(8);
  let nonce = 0;
  return (count) => {
    for (const end = nonce + count; nonce < end; nonce++) {
      const digits = String(nonce);
      let at = rest;
      for (let i = 0; i < digits.length; i++) tail[at++] = digits.charCodeAt(i);
      tail[at++] = 0x80;
      const blocks = at + 8 <= 64 ? 1 : 2;
      tail.fill(0, at, blocks * 64 - 4);
      const bits = (prefix.length + digits.length) * 8;
      const end4 = blocks * 64 - 4;
      tail[end4] = bits >>> 24;
      tail[end4 + 1] = bits >>> 16;
      tail[end4 + 2] = bits >>> 8;
      tail[end4 + 3] = bits;
      state.set(mid);
      compress(state, tail, 0);
      if (blocks === 2) compress(state, tail, 64);
      if (fits(state, difficulty)) return String(nonce++);
    }
    return null;
  };
}
