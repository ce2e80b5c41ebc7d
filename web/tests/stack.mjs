// Starting what a test needs: ticketsd on SQLite (a fresh data directory, demo data, an admin
// token) on a free loopback port, serving the built app (WEB_ROOT) beside the API.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// ticketsd serves web/dist itself (WEB_ROOT: CSP, ETags, gzip, client routes), and the tests
// talk to it directly: the browser loads the app and calls the API from one origin.
const TICKETSD_SERVES_APP = true;

export const ADMIN_TOKEN = 'web-test-admin-token-0123456789';
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

/** Starts ticketsd serving the app in `dist`; returns { base, api, stop } (base = api). */
export async function startStack({ ticketsd, dist, env = {} }) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tickets-web-test-'));
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
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  running.add(child);
  const api = `http://127.0.0.1:${port}`;
  await waitReady(api, child, 15000);
  const base = api;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 8000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    running.delete(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { base, api, stop };
}

/** Last resort on an abrupt exit: no ticketsd outlives the test. */
export function killAll() {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
}
