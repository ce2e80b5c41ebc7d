// The journeys through the app, each in a real browser against a real ticketsd.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, buy, call, createEvent } from './api.mjs';
import { checkPage, launch } from './browser.mjs';
import { ADMIN_TOKEN } from './stack.mjs';
import { writeQrVideo } from './y4m.mjs';

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

async function withBrowser(options, results, work) {
  const browser = await launch(options);
  try {
    await work(await browser.page(), browser);
  } finally {
    results.problems.push(...browser.problems);
    await browser.close();
  }
}

/** 1: search, buy two tickets, see their QR codes; prices and dates in German once. */
export async function buyerBuysTwo({ base }, results) {
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Events', level: 1 }).waitFor();
    await checkPage(page, 'events', results);
    await page.getByLabel('Name or venue').fill('Night Trains');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\?q=Night/);
    await page.getByRole('link', { name: 'The Night Trains' }).click();
    await page.getByRole('heading', { name: 'The Night Trains' }).waitFor();
    const text = await page.locator('main').innerText();
    assert(/£15\.00/.test(text), 'the price is shown in pounds');
    assert(/Sunday, 6 December 2026 at 19:00/.test(text), `the start is in London time: ${text.slice(0, 300)}`);
    await checkPage(page, 'event', results);

    // German: the same page formatted for a German reader, times still in the venue's zone.
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByText('Tickets reservieren').waitFor();
    const german = await page.locator('main').innerText();
    assert(/15,00\s£/.test(german), `German price format: ${german.slice(0, 400)}`);
    assert(/Sonntag, 6\. Dezember 2026 um 19:00/.test(german), 'German date format');
    await checkPage(page, 'event-de', results);
    await page.getByRole('button', { name: 'English' }).click();

    await page.getByLabel('Number of “General Admission” tickets').selectOption('2');
    await page.getByRole('button', { name: 'Reserve tickets' }).click();
    await page.waitForURL(/\/events\/1\/checkout$/);
    await page.getByRole('timer').waitFor();
    await checkPage(page, 'basket', results);
    await page.getByLabel('Full name').fill('Ada Buyer');
    await page.getByLabel('Email').fill('ada@example.com');
    await page.getByRole('button', { name: /Buy now/ }).click();
    await page.waitForURL(/\/orders\/[^/#]+#secret=/);
    const qr = page.getByRole('img', { name: /QR code of ticket/ });
    await qr.nth(1).waitFor();
    assert((await qr.count()) === 2, 'two QR codes');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('img.qr')].every((img) => img.complete && img.naturalWidth > 0),
    );
    await checkPage(page, 'order', results);
    // The secret was kept: the plain link opens the order again.
    const plain = page.url().replace(/#.*$/, '');
    await page.goto(plain);
    await qr.nth(1).waitFor();
    // The PDF of the tickets, fetched with the order's secret and saved as a file.
    const code = decodeURIComponent(plain.match(/\/orders\/([^/?#]+)/)[1]);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download tickets (PDF)' }).click(),
    ]);
    assert(download.suggestedFilename() === `tickets-${code}.pdf`, `PDF file name: ${download.suggestedFilename()}`);
    const pdf = readFileSync(await download.path());
    assert(pdf.subarray(0, 5).toString('latin1') === '%PDF-', `a PDF: ${pdf.subarray(0, 16).toString('latin1')}`);
    assert(pdf.length > 1024, `the PDF has content: ${pdf.length} bytes`);
    assert((await page.getByRole('alert').count()) === 0, 'no error after the download');
    await page.goto(`${base}/nowhere`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await checkPage(page, 'not-found', results);
  });
}

/** 2a: an event sold out under a buyer's eyes is explained in a sentence. */
export async function soldOut({ base, api }, results) {
  const event = await createEvent(api, { name: 'Single Seat Recital', capacity: 1 });
  const typeId = event.ticket_types[0].id;
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/events/${event.id}`);
    await page.getByLabel('Number of “Standing” tickets').selectOption('1');
    await buy(api, typeId, 1); // someone else is quicker
    await page.getByRole('button', { name: 'Reserve tickets' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const sentence = await alert.innerText();
    assert(/not enough tickets left/.test(sentence), `sold-out sentence: ${sentence}`);
    await checkPage(page, 'sold-out', results);
  });
}

/** 2b: a basket that runs out (HOLD_TTL_SECONDS=2): gone, said so, start again. */
export async function expiredBasket({ base }, results) {
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/events/2`);
    await page.locator('select').first().selectOption('1');
    await page.getByRole('button', { name: 'Reserve tickets' }).click();
    await page.waitForURL(/checkout$/);
    await page.getByRole('heading', { name: 'Your basket has expired' }).waitFor({ timeout: 8000 });
    await checkPage(page, 'basket-expired', results);
    await page.getByRole('button', { name: 'Start again' }).click();
    await page.waitForURL(/\/events\/2$/);
  });
}

/**
 * 3: the door admits a ticket shown to the camera, refuses it again with the first time; typing
 * works. The event's figures (from the server, read with the door token) go from 0 to 1 admitted.
 */
export async function door({ base, api }, results) {
  const order = await buy(api, 4, 2); // event 2's first ticket type
  const [first, second] = order.tickets;
  const token = (await admin(api, 'POST', '/api/admin/tokens', { name: 'Front door', role: 'door', event_ids: [first.event_id] })).token;
  const video = join(mkdtempSync(join(tmpdir(), 'tickets-web-qr-')), 'ticket.y4m');
  writeQrVideo(video, first.code);
  const figures = await call(api, 'GET', `/api/checkin/events/${first.event_id}`, { token });
  assert(figures.checked_in === 0 && figures.sold >= 2, `door figures before: ${JSON.stringify(figures)}`);
  const of = (n) => `Admitted ${n} of ${figures.capacity.toLocaleString('en-GB')}`;
  await withBrowser({ camera: video }, results, async (page) => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${base}/door`);
    await page.getByLabel('Door token').waitFor();
    await checkPage(page, 'door-sign-in', results);
    await page.getByLabel('Door token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Or the event number').fill(String(first.event_id));
    await checkPage(page, 'door-event', results);
    await page.getByRole('button', { name: 'Start scanning' }).click();
    const count = page.locator('.door-count');
    await page.getByText(of(0), { exact: true }).waitFor();
    assert((await count.getAttribute('aria-live')) === 'polite', 'the figure is a polite live region');
    assert((await page.locator('.door-sold').innerText()).includes(`sold ${figures.sold.toLocaleString('en-GB')}`), 'sold is shown');
    await checkPage(page, 'door-figures', results);
    await page.getByRole('button', { name: 'Start camera' }).click();
    const result = page.locator('.door-result');
    await page.getByText('✓ Admitted').waitFor({ timeout: 15000 });
    await page.getByText(of(1), { exact: true }).waitFor();
    const after = await call(api, 'GET', `/api/checkin/events/${first.event_id}`, { token });
    assert(after.checked_in === 1 && after.capacity === figures.capacity, `door figures after: ${JSON.stringify(after)}`);
    assert((await page.locator('.door-sold').innerText()).includes('this session 1'), 'this session’s count');
    await checkPage(page, 'door-admitted', results);
    await page.getByRole('button', { name: 'Scan next' }).click();
    await page.getByText('✕ Refused').waitFor({ timeout: 15000 });
    const refusal = await result.innerText();
    assert(/Already used: first scanned at/.test(refusal), `refusal names the first scan: ${refusal}`);
    await checkPage(page, 'door-refused', results);
    await page.getByRole('button', { name: 'Stop camera' }).click();
    await page.getByLabel('Ticket code').fill(second.code);
    await page.getByRole('button', { name: 'Check in' }).click();
    await page.getByText(of(2), { exact: true }).waitFor();
    await page.getByLabel('Ticket code').fill('NO-SUCH-TICKET');
    await page.getByRole('button', { name: 'Check in' }).click();
    await page.getByText('Unknown ticket code.').waitFor();

    // The buyer now tries to cancel: refused (409 order-admitted), and told why in a sentence.
    await page.goto(`${base}/orders/${order.code}#secret=${order.secret}`);
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.locator('.confirm').getByRole('button', { name: 'Cancel order' }).click();
    const why = await page.getByRole('alert').innerText();
    assert(/already been used at the door/.test(why), `cancel refusal explained: ${why}`);
    await checkPage(page, 'order-cancel-refused', results);
  });
}

/**
 * 4: an organiser creates a draft event with a ticket type, finds it again after a reload and in
 * the list of all events, opens the sale, and sees a sale arrive in the figures and the chart.
 */
export async function organiser({ base, api }, results) {
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/admin`);
    await page.getByLabel('Admin token').waitFor();
    await checkPage(page, 'admin-sign-in', results);
    await page.getByLabel('Admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Organiser console' }).waitFor();
    await checkPage(page, 'admin-events', results);
    await page.getByRole('link', { name: 'New event' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Organiser Test Night');
    await page.getByLabel('Venue', { exact: true }).fill('Kesselhaus, Berlin');
    await page.getByLabel('Time zone (IANA, e.g. Europe/Berlin)').fill('Europe/Berlin');
    await page.getByLabel('Starts (venue time)').fill('2027-03-01T20:00');
    await page.getByLabel('Ends (venue time)').fill('2027-03-01T23:00');
    await page.getByLabel('Ticket type name').fill('Early Bird');
    await page.getByLabel('Price in minor units (cents, pence)').fill('1800');
    await page.getByLabel('Capacity', { exact: true }).fill('50');
    await checkPage(page, 'admin-new-event', results);
    await page.getByRole('button', { name: 'Create event' }).click();
    await page.waitForURL(/\/admin\/events\/\d+/);
    const id = Number(page.url().match(/events\/(\d+)/)[1]);
    // A draft is hidden from the public API; the organiser reads it back after a reload.
    assert((await fetch(`${api}/api/events/${id}`)).status === 404, 'the draft is not public');
    await page.reload();
    await page.getByRole('heading', { name: 'Organiser Test Night' }).waitFor();
    assert((await page.getByLabel('Ticket type name').first().inputValue()) === 'Early Bird', 'the draft’s ticket type');
    assert((await page.getByLabel('Starts (venue time)').inputValue()) === '2027-03-01T20:00', 'the draft’s start in venue time');
    await page.getByText('No sales yet.').waitFor();
    // …and in the list of every event, marked as a draft.
    await page.getByRole('link', { name: 'All events' }).click();
    const listed = page.locator('.admin-events li', { hasText: 'Organiser Test Night' });
    await listed.waitFor();
    assert(/Draft/.test(await listed.innerText()), `listed as a draft: ${await listed.innerText()}`);
    await listed.getByRole('link', { name: 'Organiser Test Night' }).click();
    await page.waitForURL(new RegExp(`/admin/events/${id}$`));
    await page.getByRole('button', { name: 'Open sale' }).click();
    await page.getByText('The sale is open.').waitFor();
    const sold = page.locator('.stat', { hasText: 'Sold' }).locator('dd');
    await sold.waitFor();
    assert((await sold.innerText()) === '0', 'nothing sold yet');
    const detail = await (await fetch(`${api}/api/events/${id}`)).json();
    assert(detail.starts_at === '2027-03-01T19:00:00Z', `venue time converted to UTC: ${detail.starts_at}`);
    await buy(api, detail.ticket_types[0].id, 3);
    await page.waitForFunction(() => document.querySelector('.stat dd')?.textContent === '3', null, { timeout: 8000 });
    // The chart draws the server's paid sales per hour: this one sale, in this hour.
    const chart = page.locator('figure.chart');
    await chart.locator('svg[aria-label^="3 tickets in 1 orders"]').waitFor({ timeout: 8000 });
    assert((await chart.locator('rect.chart-bar').count()) === 1, 'one bar: the hour of the sale');
    const sales = await admin(api, 'GET', `/api/admin/events/${id}/sales?bucket=hour`);
    assert(sales.points.length === 1 && sales.points[0].tickets === 3 && sales.points[0].revenue === 5400, `sales: ${JSON.stringify(sales)}`);
    const hour = new Date();
    hour.setUTCMinutes(0, 0, 0);
    assert(Math.abs(Date.parse(sales.points[0].at) - hour.getTime()) <= 3600e3, `the bucket is this hour: ${sales.points[0].at}`);
    await checkPage(page, 'admin-event', results);
    await page.getByRole('link', { name: 'API tokens' }).click();
    await page.getByLabel('Token name').fill('Scanner 1');
    await page.getByLabel('Event numbers (door tokens, comma-separated)').fill(String(id));
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.getByTestId('token-secret').waitFor();
    await checkPage(page, 'admin-tokens', results);
    await page.getByRole('button', { name: 'Revoke: Scanner 1' }).click();
    await page.getByText(/revoked/).first().waitFor();
  });
}
