// The journeys of a hot on-sale: the waiting room (a buyer waits, is admitted and buys; the
// organiser runs it from the console while a buyer's browser does the proof of work), and the
// refusals that protect the selling path (too many baskets held, load shed).
import { createHash } from 'node:crypto';
import { admin, call, createEvent, setQueue } from './api.mjs';
import { checkPage } from './browser.mjs';
import { assert, onPaymentPage, withBrowser } from './journeys.mjs';
import { ADMIN_TOKEN } from './stack.mjs';

const joinedQueue = (eventId) => (r) => r.method() === 'POST' && new URL(r.url()).pathname === `/api/events/${eventId}/queue`;
const madeBasket = (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/basket';
const placeInTab = (page, eventId) => page.evaluate((id) => sessionStorage.getItem(`tickets.queue.${id}`), eventId);

/**
 * 5a: the organiser turns the waiting room on (paused) while a buyer looks at the event: the
 * basket is refused (403 queue-required) and the buyer is in line, the place kept over a reload;
 * admission opens, the buyer is back at the event and the basket is made with the token, once.
 */
export async function buyerWaits({ base, api, stripe }, results) {
  const event = await createEvent(api, { name: 'Queue Test Night', capacity: 20 });
  const queuePath = `/events/${event.id}/queue`;
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/events/${event.id}`);
    await page.getByRole('heading', { name: 'Queue Test Night' }).waitFor();
    assert((await page.getByText(/waiting room/).count()) === 0, 'no waiting room yet');
    await setQueue(api, event.id, { admit_per_minute: 0 });
    await page.getByLabel('Number of “Standing” tickets').selectOption('2');
    await page.getByRole('button', { name: 'Reserve tickets' }).click();
    await page.waitForURL(`${base}${queuePath}`);
    await page.getByRole('heading', { name: 'Waiting room', level: 1 }).waitFor();
    const live = page.locator('.queue-box [role="status"]');
    await live.getByText('You are next in line.').waitFor();
    await live.getByText('Admission is paused for now. Your place is kept.').waitFor();
    const { ticket } = JSON.parse(await placeInTab(page, event.id));
    assert(ticket.status === 'waiting' && ticket.token, `a place in this tab: ${JSON.stringify(ticket)}`);
    await checkPage(page, 'queue-waiting', results);

    // A reload keeps the place: no second join.
    let joins = 0;
    page.on('request', (r) => joinedQueue(event.id)(r) && joins++);
    await page.reload();
    await live.getByText('You are next in line.').waitFor();
    assert(JSON.parse(await placeInTab(page, event.id)).ticket.token === ticket.token, 'the same place after a reload');
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await live.getByText('Sie sind als Nächstes dran.').waitFor();
    await live.getByText('Der Einlass ist gerade angehalten. Ihr Platz bleibt erhalten.').waitFor();
    await checkPage(page, 'queue-waiting-de', results);
    await page.getByRole('button', { name: 'English' }).click();

    // Admission opens: back at the event, the choice kept, and the basket made with the token.
    await setQueue(api, event.id, { admit_per_minute: 600 });
    await page.waitForURL(`${base}/events/${event.id}`, { timeout: 15000 });
    assert(joins === 0, `joined again after the reload: ${joins}`);
    await page.getByText(/^It’s your turn! Reserve your tickets by \d{2}:\d{2}:\d{2}\.$/).waitFor();
    assert((await page.getByLabel('Number of “Standing” tickets').inputValue()) === '2', 'the choice is kept');
    await checkPage(page, 'queue-admitted', results);
    const [basket] = await Promise.all([page.waitForRequest(madeBasket), page.getByRole('button', { name: 'Reserve tickets' }).click()]);
    assert(basket.headers()['x-queue-token'] === ticket.token, 'the basket carries the queue token');
    await page.waitForURL(/\/checkout$/);
    assert((await placeInTab(page, event.id)) === null, 'the spent place is forgotten');
    // The server agrees: one basket an admission.
    const again = await fetch(`${api}/api/basket`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Queue-Token': ticket.token },
      body: JSON.stringify({ items: [{ ticket_type_id: event.ticket_types[0].id, quantity: 1 }] }),
    });
    assert(again.status === 403, `a second basket with the token: ${again.status}`);
    await page.getByLabel('Full name').fill('Queue Buyer');
    await page.getByLabel('Email').fill('queue@example.com');
    await page.getByRole('button', { name: /Buy now/ }).click();
    await onPaymentPage(page, base, stripe, 'Pay');
    await page.getByRole('img', { name: /QR code of ticket/ }).nth(1).waitFor();

    // Another basket of this event means the waiting room again.
    await page.goto(`${base}/events/${event.id}`);
    await page.getByText('Tickets for this event are sold through a waiting room: when you reserve, you take a place in line.').waitFor();
  });
}

/** Leading zero bits of SHA-256(text). */
function zeroBits(text) {
  let bits = 0;
  for (const byte of createHash('sha256').update(text).digest()) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}

/** The organiser's waiting-room panel: read until `label` shows `value`. */
async function figure(page, label, value, timeout = 12000) {
  await page
    .waitForFunction(
      ([label, value]) =>
        [...document.querySelectorAll('[data-testid="queue-stats"] .stat')].some(
          (s) => s.querySelector('dt')?.textContent === label && s.querySelector('dd')?.textContent === value,
        ),
      [label, value],
      { timeout },
    )
    .catch(async () => {
      const shown = await page.locator('[data-testid="queue-stats"]').innerText().catch(() => 'nothing');
      throw new Error(`queue figure ${label} is not ${value}: ${shown}`);
    });
}

/**
 * 5b: an organiser turns the waiting room on from the console with a proof of work (8 bits) and
 * admission paused; a buyer in another tab joins, the browser finding the proof in a worker, and
 * the console shows them waiting; admission opens from the console, which counts them admitted,
 * and the buyer, back at the event, makes the basket.
 */
export async function organiserQueue({ base, api }, results) {
  const event = await createEvent(api, { name: 'Proof Of Work Night', capacity: 20 });
  await withBrowser({}, results, async (page, browser) => {
    await page.goto(`${base}/admin`);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Organiser console' }).waitFor();
    await page.goto(`${base}/admin/events/${event.id}`);
    const panel = page.locator('section.queue-panel');
    await panel.getByRole('heading', { name: 'Waiting room Off' }).waitFor();
    await figure(page, 'Waiting', '0');
    await panel.getByLabel('Buyers queue in the waiting room before they reserve').check();
    await panel.getByLabel('Admissions per minute').fill('0');
    await panel.getByLabel('Proof of work (0 to 24 bits)').fill('8');
    await panel.getByRole('button', { name: 'Save waiting room' }).click();
    await panel.getByText('The waiting room is on.').waitFor();
    await panel.getByRole('heading', { name: 'Waiting room On' }).waitFor();
    const report = await admin(api, 'GET', `/api/admin/events/${event.id}/queue`);
    assert(report.enabled && report.admit_per_minute === 0 && report.pow_difficulty === 8, `saved: ${JSON.stringify(report)}`);
    const bare = await fetch(`${api}/api/events/${event.id}/queue`, { method: 'POST' });
    assert(bare.status === 403, `a join without the proof: ${bare.status}`);

    const buyer = await browser.context.newPage();
    await buyer.goto(`${base}/events/${event.id}`);
    await buyer.getByText(/sold through a waiting room/).waitFor();
    await buyer.getByLabel('Number of “Standing” tickets').selectOption('1');
    const [join] = await Promise.all([buyer.waitForRequest(joinedQueue(event.id)), buyer.getByRole('button', { name: 'Reserve tickets' }).click()]);
    const proof = join.postDataJSON();
    assert(/^\d{1,64}$/.test(proof?.nonce ?? ''), `a decimal nonce: ${JSON.stringify(proof)}`);
    assert(zeroBits(`${proof.challenge}:${proof.nonce}`) >= 8, `the proof has 8 zero bits: ${JSON.stringify(proof)}`);
    await buyer.locator('.queue-box [role="status"]').getByText('You are next in line.').waitFor();

    await page.bringToFront();
    await figure(page, 'Waiting', '1');
    await checkPage(page, 'admin-queue', results);
    await panel.getByLabel('Admissions per minute').fill('600');
    await panel.getByRole('button', { name: 'Save waiting room' }).click();
    await figure(page, 'Admitted', '1');
    await figure(page, 'Waiting', '0');

    await buyer.bringToFront();
    await buyer.waitForURL(`${base}/events/${event.id}`, { timeout: 15000 });
    await buyer.getByText(/^It’s your turn!/).waitFor();
    await buyer.getByRole('button', { name: 'Reserve tickets' }).click();
    await buyer.waitForURL(/\/checkout$/);
    await buyer.getByRole('timer').waitFor();
  });
}

const shedBody = JSON.stringify({
  type: '/problems/overloaded',
  title: 'Too Many Requests',
  status: 429,
  detail: 'the selling path is full: retry after 1 s',
  instance: '/api/basket',
  request_id: 'web-test',
});
const shed = (route) =>
  route.fulfill({ status: 429, headers: { 'Retry-After': '1', 'Content-Type': 'application/problem+json' }, body: shedBody });

/**
 * 5c: the selling path's refusals, explained (HOLD_LIMIT_PER_CLIENT=2): a buyer who holds two
 * baskets of the event already is told so; a basket shed twice (429 overloaded, as ticketsd
 * answers beyond its concurrency limit, answered here by the browser's network layer since real
 * shedding cannot be caused on cue) is made on the third try without the buyer doing anything;
 * a checkout shed every time is explained (nothing charged); then, the payment provider down (the
 * Stripe double answering 503), the checkout is refused with 503 payment-provider-unavailable and
 * explained ("try again"); tried again once it is back, it goes to the payment page. One
 * Idempotency-Key throughout.
 */
export async function sellingPathBusy({ base, api, stripe }, results) {
  const event = await createEvent(api, { name: 'Busy Night', capacity: 50 });
  const items = [{ ticket_type_id: event.ticket_types[0].id, quantity: 1 }];
  const held = [];
  for (let i = 0; i < 2; i++) held.push(await call(api, 'POST', '/api/basket', { body: { items } }));
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/events/${event.id}`);
    await page.getByLabel('Number of “Standing” tickets').selectOption('1');
    await page.getByRole('button', { name: 'Reserve tickets' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText(/^You already hold 2 baskets for this event/).waitFor();
    await checkPage(page, 'too-many-holds', results);
    await call(api, 'DELETE', `/api/basket/${held[0].id}`);

    let basketsShed = 0;
    await page.route('**/api/basket', (route) =>
      madeBasket(route.request()) && basketsShed < 2 ? (basketsShed++, shed(route)) : route.continue(),
    );
    await page.getByRole('button', { name: 'Reserve tickets' }).click();
    await page.getByRole('button', { name: 'Very busy, trying again…' }).waitFor();
    await page.waitForURL(/\/checkout$/);
    assert(basketsShed === 2, `shed twice, then made: ${basketsShed}`);
    await page.unroute('**/api/basket');

    const keys = [];
    await page.route('**/api/checkout', (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      return shed(route);
    });
    await page.getByLabel('Full name').fill('Busy Buyer');
    await page.getByLabel('Email').fill('busy@example.com');
    await page.getByRole('button', { name: /Buy now/ }).click();
    await alert.getByText(/could not take your order, even after trying again for you\. Nothing was charged/).waitFor({ timeout: 8000 });
    assert(keys.length === 3 && new Set(keys).size === 1 && keys[0], `three tries with one key: ${JSON.stringify(keys)}`);
    await checkPage(page, 'checkout-overloaded', results);
    await page.unroute('**/api/checkout');

    // The payment provider cannot be reached: ticketsd says so, and nothing is stored under the key.
    const checkouts = [];
    page.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/api/checkout' && checkouts.push(r));
    await stripe.call('POST', '/_double/config', { down: true });
    try {
      await page.getByRole('button', { name: /Buy now/ }).click();
      await alert.getByText(/^The payment service cannot be reached right now\. Nothing was charged .*try again/).waitFor({ timeout: 8000 });
      const refused = await checkouts[0].response();
      assert(refused.status() === 503, `checkout with the provider down: ${refused.status()}`);
      assert((await refused.json()).type === '/problems/payment-provider-unavailable', 'payment-provider-unavailable');
      await checkPage(page, 'checkout-provider-down', results);
    } finally {
      await stripe.call('POST', '/_double/config', { down: false });
    }
    await page.getByRole('button', { name: /Buy now/ }).click();
    await page.waitForURL((url) => url.href.startsWith(`${stripe.base}/pay/`));
    keys.push(...checkouts.map((r) => r.headers()['idempotency-key']));
    assert(keys.length === 5 && new Set(keys).size === 1, `one key for every try: ${JSON.stringify(keys)}`);
  });
}
