// Runs the journeys against real ticketsd processes (each serving the built app in dist/; those
// that sell online with their own test double of Stripe) and prints "N passed, N failed".
// Usage: node tests/run.mjs <path to ticketsd>   (or env TICKETSD)
import { existsSync } from 'node:fs';
import { buyerBuysTwo, door, eventList, expiredBasket, organiser, soldOut } from './journeys.mjs';
import { buyerRefund, cancelBeforePaying, payLater, paymentsOff, pendingOrders } from './payments.mjs';
import { serving } from './serving.mjs';
import { killAll, startStack } from './stack.mjs';
import { buyerWaits, organiserQueue, sellingPathBusy } from './waiting-room.mjs';

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

// Every journey's browser and API calls come from 127.0.0.1, one client to ticketsd: no limit
// of live baskets per client (HOLD_LIMIT_PER_CLIENT=0), except where a journey meets it.
// Priced tickets are paid online (the Stripe double), except in a shop without online payment.
const stacks = [];
const start = async (options) => {
  const stack = await startStack({ ticketsd, dist, ...options });
  stacks.push(stack);
  return stack;
};
try {
  const main = await start({ env: { HOLD_LIMIT_PER_CLIENT: '0' }, payments: true });
  const short = await start({ env: { HOLD_TTL_SECONDS: '2', HOLD_LIMIT_PER_CLIENT: '0' } });
  const guarded = await start({ env: { HOLD_LIMIT_PER_CLIENT: '2' }, payments: true });
  const offline = await start({ env: { HOLD_LIMIT_PER_CLIENT: '0' } });
  await run('ticketsd serves the app: CSP and other headers, ETags, gzip, client routes', (stack) => serving(stack, dist), main);
  await run('buyer finds an event, buys two tickets, pays on the payment page, sees QR codes (and German formats)', buyerBuysTwo, main);
  await run('the event list pages through next_cursor and filters by status and dates like the API', eventList, main);
  await run('sold out is explained', soldOut, main);
  await run('an expired basket is explained and can be started again', expiredBasket, short);
  await run('the door admits by camera, refuses a second scan, checks typed codes', door, main);
  await run('an organiser creates a draft, finds it after a reload, opens the sale, sees a sale in figures and chart', organiser, main);
  await run('a buyer meets the waiting room, keeps the place over a reload, is admitted and buys with the token once', buyerWaits, main);
  await run('an organiser runs the waiting room and sees its figures; a buyer joins with a proof of work found in a worker', organiserQueue, main);
  await run('a buyer cancels on the payment page, is back at the pending order and pays with "Pay now"', payLater, main);
  await run('a buyer cancels an order before paying it: nothing charged, tickets released, the payment page closed', cancelBeforePaying, main);
  await run('a pending order is read until the webhook pays it; expired and late-refunded orders are explained', pendingOrders, main);
  await run('a buyer cancels an order paid online, sees it refunded, and the refund reaches the provider', buyerRefund, main);
  await run('a shop without online payment explains it at checkout', paymentsOff, offline);
  await run('too many baskets held is explained; shed baskets and checkouts are retried, then explained; the payment provider down too', sellingPathBusy, guarded);
} finally {
  await Promise.all(stacks.map((stack) => stack.stop()));
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
