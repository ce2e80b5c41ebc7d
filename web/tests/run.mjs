// Runs the journeys against real ticketsd processes (each serving the built app in dist/) and
// prints "N passed, N failed".
// Usage: node tests/run.mjs <path to ticketsd>   (or env TICKETSD)
import { existsSync } from 'node:fs';
import { buyerBuysTwo, door, eventList, expiredBasket, organiser, soldOut } from './journeys.mjs';
import { serving } from './serving.mjs';
import { killAll, startStack } from './stack.mjs';

const ticketsd = process.argv[2] ?? process.env.TICKETSD;
if (!ticketsd) {
  console.error('usage: node tests/run.mjs <ticketsd> (or env TICKETSD)');
  process.exit(2);
}
const dist = new URL('../dist', import.meta.url).pathname;
if (!existsSync(`${dist}/index.html`)) {
  console.error('no dist/index.html: npm run build first');
  process.exit(2);
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(1));

const results = { axe: [], problems: [], pages: [] };
let passed = 0;
let failed = 0;

async function run(name, journey, stack) {
  const started = Date.now();
  try {
    await journey(stack, results);
    passed++;
    console.log(`ok   ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stack ?? e}`);
  }
}

const main = await startStack({ ticketsd, dist });
const short = await startStack({ ticketsd, dist, env: { HOLD_TTL_SECONDS: '2' } });
try {
  await run('ticketsd serves the app: CSP and other headers, ETags, gzip, client routes', (stack) => serving(stack, dist), main);
  await run('buyer finds an event, buys two tickets, sees QR codes (and German formats)', buyerBuysTwo, main);
  await run('the event list pages through next_cursor and filters by status and dates like the API', eventList, main);
  await run('sold out is explained', soldOut, main);
  await run('an expired basket is explained and can be started again', expiredBasket, short);
  await run('the door admits by camera, refuses a second scan, checks typed codes', door, main);
  await run('an organiser creates a draft, finds it after a reload, opens the sale, sees a sale in figures and chart', organiser, main);
} finally {
  await Promise.all([main.stop(), short.stop()]);
}

const axeClean = results.axe.length === 0;
console.log(`${axeClean ? 'ok  ' : 'FAIL'} axe-core on ${results.pages.length} page states at 360 and 1280 px`);
for (const v of results.axe) console.log(`     ${v}`);
axeClean ? passed++ : failed++;
const clean = results.problems.length === 0;
console.log(`${clean ? 'ok  ' : 'FAIL'} no script error and no CSP violation`);
for (const p of results.problems) console.log(`     ${p}`);
clean ? passed++ : failed++;
console.log(`screenshots: test-results/screenshots/ (${results.pages.length * 2} files)`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
