// Starting what a test needs: ticketsd on SQLite (a fresh data directory, demo data, an admin
// token) on a free loopback port, serving the built app (WEB_ROOT) beside the API; with
// `payments`, online payment through the repository's test double of Stripe
// (tests/doubles/stripe_double.py, one for each ticketsd, on its own loopback port).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ticketsd serves web/dist itself (WEB_ROOT: CSP, ETags, gzip, client routes), and the tests
// talk to it directly: the browser loads the app and calls the API from one origin.
const TICKETSD_SERVES_APP = true;

export const ADMIN_TOKEN = 'web-test-admin-token-0123456789';
const STRIPE_DOUBLE = new URL('../../tests/doubles/stripe_double.py', import.meta.url).pathname;
const STRIPE_SECRET_KEY = 'sk_test_double';
const STRIPE_WEBHOOK_SECRET = 'whsec_test_double';
const running = new Set();

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(base, child, ms) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`ticketsd exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${base}/readiness`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('ticketsd did not become ready in time');
}

/** Stops a child: SIGTERM, then SIGKILL if it is still there after `ms`. */
async function stopChild(child, ms) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, ms))]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  running.delete(child);
}

/**
 * The test double of Stripe on a free loopback port (it writes the port to a file once it
 * listens). Returns { base, call(method, path, body), stop }; `call` speaks its control API
 * (`/_double/…`, JSON).
 */
async function startStripeDouble(dir) {
  const portFile = join(dir, 'stripe-double.port');
  const child = spawn('python3', [STRIPE_DOUBLE, '--port', '0', '--port-file', portFile, '--secret-key', STRIPE_SECRET_KEY], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running.add(child);
  const stop = () => stopChild(child, 5000);
  try {
    const until = Date.now() + 10000;
    while (!existsSync(portFile)) {
      if (child.exitCode !== null) throw new Error(`the Stripe double exited with ${child.exitCode}`);
      if (Date.now() > until) throw new Error('the Stripe double did not start in time');
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const base = `http://127.0.0.1:${Number(readFileSync(portFile, 'utf8'))}`;
  const call = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body ? { 'Content-Type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(15000),
    });
    const json = await response.json();
    if (!response.ok) throw new Error(`Stripe double ${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
  return { base, call, stop };
}

/**
 * Starts ticketsd serving the app in `dist`; returns { base, api, stop } (base = api), and
 * `stripe` (the double's { base, call }) when `payments` is asked for.
 */
export async function startStack({ ticketsd, dist, env = {}, payments = false }) {
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'tickets-web-test-'));
  let stripe = null;
  if (payments) {
    try {
      stripe = await startStripeDouble(dataDir);
    } catch (e) {
      rmSync(dataDir, { recursive: true, force: true });
      throw e;
    }
  }
  const paymentEnv = stripe
    ? {
        STRIPE_SECRET_KEY,
        STRIPE_WEBHOOK_SECRET,
        STRIPE_API_BASE: stripe.base,
        // Where the payment page sends the buyer back: this ticketsd, as the browser reaches it.
        PUBLIC_BASE_URL: api,
      }
    : {};
  const child = spawn(ticketsd, [], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      SEED_DEMO_DATA: 'true',
      ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
      THREADS: '1',
      SHUTDOWN_DRAIN_SECONDS: '0',
      DB_POOL_SIZE: '4',
      ...(TICKETSD_SERVES_APP ? { WEB_ROOT: dist } : {}),
      ...paymentEnv,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running.add(child);
  const stop = async () => {
    await stopChild(child, 8000);
    if (stripe) await stripe.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitReady(api, child, 15000);
    // The double signs its events for ticketsd's webhook with the secret ticketsd checks.
    if (stripe) {
      await stripe.call('POST', '/_double/config', {
        webhook_url: `${api}/api/payments/stripe/webhook`,
        webhook_secret: STRIPE_WEBHOOK_SECRET,
      });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const base = api;
  return { base, api, stop, stripe: stripe && { base: stripe.base, call: stripe.call } };
}

/** Last resort on an abrupt exit: no ticketsd or Stripe double outlives the test. */
export function killAll() {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
