// The journeys through the app, each in a real browser against a real ticketsd.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, buy, call, createEvent } from './api.mjs';
import { checkPage, launch } from './browser.mjs';
import { ADMIN_TOKEN } from './stack.mjs';
import { writeQrVideo } from './y4m.mjs';

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** A part (weekday, day, month, year, hour, minute) of an instant in a time zone, in a locale. */
function venueTime(iso, timeZone) {
  return (locale, part) =>
    new Intl.DateTimeFormat(locale, {
      timeZone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .find((p) => p.type === part).value;
}

/**
 * On the Stripe double's hosted payment page (where the checkout sent the browser): `action` is
 * `Pay` or `Cancel`; either way the page sends the buyer back to the order page of `base`, with
 * `?payment=done` or `?payment=cancelled`. Returns the order's code.
 */
export async function onPaymentPage(page, base, stripe, action = 'Pay') {
  await page.waitForURL((url) => url.href.startsWith(`${stripe.base}/pay/`));
  await page.getByRole('heading', { name: 'Test payment' }).waitFor();
  assert((await page.title()) === 'Test payment', `the payment page: ${await page.title()}`);
  await page.getByRole('button', { name: action, exact: true }).click();
  const back = action === 'Pay' ? 'done' : 'cancelled';
  await page.waitForURL((url) => url.origin === base && /^\/orders\/[^/]+$/.test(url.pathname) && url.search === `?payment=${back}`);
  return decodeURIComponent(new URL(page.url()).pathname.split('/').pop());
}

export async function withBrowser(options, results, work) {
  const browser = await launch(options);
  try {
    await work(await browser.page(), browser);
  } finally {
    results.problems.push(...browser.problems);
    await browser.close();
  }
}

/**
 * 1: search, buy two tickets (paid on the payment page, then back at the order), see their QR
 * codes; prices and dates in German once.
 */
export async function buyerBuysTwo({ base, stripe }, results) {
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
    // The demo catalogue dates its events from today: the expected wording comes from the
    // event's start as the API serves it, read in the venue's time zone.
    const [listed] = (await call(base, 'GET', '/api/events?q=Night%20Trains')).events;
    const start = venueTime(listed.starts_at, 'Europe/London');
    const english = `${start('en-GB', 'weekday')}, ${start('en-GB', 'day')} ${start('en-GB', 'month')} ${start('en-GB', 'year')} at ${start('en-GB', 'hour')}:${start('en-GB', 'minute')}`;
    assert(text.includes(english), `the start is in London time (${english}): ${text.slice(0, 300)}`);
    await checkPage(page, 'event', results);

    // German: the same page formatted for a German reader, times still in the venue's zone.
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByText('Tickets reservieren').waitFor();
    const german = await page.locator('main').innerText();
    assert(/15,00\s£/.test(german), `German price format: ${german.slice(0, 400)}`);
    const deutsch = `${start('de-DE', 'weekday')}, ${start('de-DE', 'day')}. ${start('de-DE', 'month')} ${start('de-DE', 'year')} um ${start('de-DE', 'hour')}:${start('de-DE', 'minute')}`;
    assert(german.includes(deutsch), `German date format (${deutsch})`);
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
    // Paid online: the checkout sends the browser to the payment page, which sends it back.
    await page.waitForURL((url) => url.href.startsWith(`${stripe.base}/pay/`));
    assert((await page.locator('.minor').innerText()) === '3000', 'the payment page asks for £30.00');
    const code = await onPaymentPage(page, base, stripe, 'Pay');
    // The way back carries no secret: the order page found it in this browser, and puts it in
    // the address the buyer keeps.
    await page.waitForURL(/\/orders\/[^/#]+\?payment=done#secret=/);
    const qr = page.getByRole('img', { name: /QR code of ticket/ });
    await qr.nth(1).waitFor();
    assert((await qr.count()) === 2, 'two QR codes');
    assert(/^Paid$/.test(await page.locator('.badge').first().innerText()), 'the order is paid');
    await page.waitForFunction(() =>
      [...document.querySelectorAll('img.qr')].every((img) => img.complete && img.naturalWidth > 0),
    );
    await checkPage(page, 'order', results);
    // The secret was kept: the plain link opens the order again.
    const plain = page.url().replace(/[?#].*$/, '');
    await page.goto(plain);
    await qr.nth(1).waitFor();
    // The PDF of the tickets, fetched with the order's secret and saved as a file.
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

/** Every page of GET /api/events for a query, following `next_cursor`: the events in order. */
async function allPages(api, query) {
  const events = [];
  let cursor = null;
  do {
    const params = new URLSearchParams(query);
    if (cursor) params.set('cursor', cursor);
    const page = await call(api, 'GET', `/api/events?${params}`);
    events.push(...page.events);
    cursor = page.next_cursor;
  } while (cursor);
  return events;
}

const listedHrefs = (page) =>
  page.locator('.event-list > li h2 a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));

/** The list shows exactly these events, in this order, once each, and no "more" control. */
async function expectListed(page, expected, what) {
  const want = expected.map((e) => `/events/${e.id}`);
  try {
    await page.waitForFunction(
      (want) => {
        const got = [...document.querySelectorAll('.event-list > li h2 a')].map((a) => a.getAttribute('href'));
        return !document.querySelector('main .loading') && got.length === want.length && got.every((h, i) => h === want[i]);
      },
      want,
      { timeout: 5000 },
    );
  } catch {
    throw new Error(`${what}: listed ${JSON.stringify(await listedHrefs(page))}, the API ${JSON.stringify(want)}`);
  }
  assert((await page.getByRole('button', { name: 'More events' }).count()) === 0, `${what}: no more events`);
}

const utcDay = (iso) => iso.slice(0, 10);
const nextUtcDay = (day) => new Date(Date.parse(`${day}T00:00:00Z`) + 86400e3).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * 1b: the event list's other duties. "More events" appends the pages of `next_cursor` until the
 * last, every event once; the status and date filters narrow the list to exactly what the API
 * returns for the same query, and clearing them restores it.
 */
export async function eventList({ base, api }, results) {
  await withBrowser({}, results, async (page) => {
    // The page size is the app's own: read from the request it makes.
    const [request] = await Promise.all([
      page.waitForRequest((r) => new URL(r.url()).pathname === '/api/events'),
      page.goto(`${base}/`),
    ]);
    const limit = Number(new URL(request.url()).searchParams.get('limit'));
    assert(Number.isInteger(limit) && limit > 0, `the app asks for pages of ${limit}`);
    // A sold-out event (set so by the organiser), and enough events for three pages or more.
    // Those created here share one start time: the cursor has to tell them apart by id.
    const soldOut = await createEvent(api, { name: 'Filter Test Sold Out', capacity: 5 });
    await admin(api, 'PATCH', `/api/admin/events/${soldOut.id}`, { status: 'sold_out' });
    const known = (await allPages(api, { limit })).length;
    for (let i = known; i <= 2 * limit; i++) await createEvent(api, { name: `Paging Test ${i + 1}`, capacity: 5 });
    const all = await allPages(api, { limit });
    const ids = new Set(all.map((e) => e.id));
    assert(ids.size === all.length && all.length > 2 * limit, `the API's pages: ${all.length} events, ${ids.size} distinct`);

    await page.reload();
    const cards = page.locator('.event-list > li');
    const more = page.getByRole('button', { name: 'More events' });
    await more.waitFor();
    assert((await cards.count()) === limit, `first page: ${await cards.count()} events, not ${limit}`);
    const pages = Math.ceil(all.length / limit);
    for (let n = 2; n <= pages; n++) {
      // By keyboard: the control is a button, Enter uses it.
      await more.focus();
      await page.keyboard.press('Enter');
      const shown = Math.min(n * limit, all.length);
      await page.waitForFunction((shown) => document.querySelectorAll('.event-list > li').length === shown, shown);
      // The focus goes to the first event of the new page, not to the top of the document.
      const focusedIndex = () => {
        const item = document.activeElement?.closest('.event-list > li');
        return item ? [...item.parentElement.children].indexOf(item) : -1;
      };
      const first = (n - 1) * limit;
      await page
        .waitForFunction(`(${focusedIndex})() === ${first}`, null, { timeout: 2000 })
        .catch(async () => assert(false, `page ${n}: the focus is on event ${await page.evaluate(focusedIndex)}, not ${first}`));
    }
    await expectListed(page, all, 'every page');
    assert(new Set(await listedHrefs(page)).size === all.length, 'no event listed twice');
    await checkPage(page, 'events-all-pages', results);

    // Status: sold out.
    await page.getByLabel('Status').selectOption('sold_out');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/\/\?status=sold_out$/);
    const soldOutApi = await allPages(api, { limit, status: 'sold_out' });
    assert(soldOutApi.some((e) => e.id === soldOut.id) && soldOutApi.every((e) => e.status === 'sold_out'), 'the API lists the sold-out events');
    await expectListed(page, soldOutApi, 'status sold out');
    assert((await page.locator('.badge-sold_out').count()) === soldOutApi.length, 'each marked sold out');

    // A date range (days, from the first to the last included), typed and sent with Enter.
    await page.getByLabel('Status').selectOption('');
    const from = utcDay(all[2].starts_at);
    const to = utcDay(all[6].starts_at);
    await page.getByLabel('From (date)').fill(from);
    await page.getByLabel('Until (date)').fill(to);
    await page.getByLabel('Until (date)').press('Enter');
    await page.waitForURL(new RegExp(`/\\?from=${from}&to=${to}$`));
    const range = { limit, from: `${from}T00:00:00Z`, to: nextUtcDay(to) };
    const rangeApi = await allPages(api, range);
    const inRange = all.filter((e) => e.starts_at >= range.from && e.starts_at < range.to);
    assert(rangeApi.length >= 5 && rangeApi.length < all.length, `the range narrows: ${rangeApi.length} of ${all.length}`);
    assert(JSON.stringify(rangeApi.map((e) => e.id)) === JSON.stringify(inRange.map((e) => e.id)), 'the API’s range is the days asked for');
    await expectListed(page, rangeApi, `from ${from} to ${to}`);
    await checkPage(page, 'events-filtered', results);

    // Both at once.
    await page.getByLabel('Status').selectOption('on_sale');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/status=on_sale/);
    await expectListed(page, await allPages(api, { ...range, status: 'on_sale' }), 'range and on sale');

    // Clearing restores the whole list, a page at a time.
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.waitForURL(new RegExp(`^${base}/$`));
    await more.waitFor();
    assert(JSON.stringify(await listedHrefs(page)) === JSON.stringify(all.slice(0, limit).map((e) => `/events/${e.id}`)), 'cleared: the first page again');
    assert((await page.getByLabel('From (date)').inputValue()) === '' && (await page.getByLabel('Status').inputValue()) === '', 'cleared fields');
    assert((await page.getByRole('button', { name: 'Clear filters' }).count()) === 0, 'nothing left to clear');

    // The controls in German.
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByRole('button', { name: 'Weitere Veranstaltungen' }).waitFor();
    await page.getByLabel('Ab (Datum)').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
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
    // In German: the figure and a refusal with the first scan's date and time for a German reader.
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByText(`Eingelassen: 2 von ${figures.capacity.toLocaleString('de-DE')}`, { exact: true }).waitFor();
    // The refusal on screen follows the change of language.
    await page.getByText('Unbekannter Ticket-Code.', { exact: true }).waitFor();
    await page.getByLabel('Ticket-Code').fill(second.code);
    await page.getByRole('button', { name: 'Einlassen', exact: true }).click();
    await page.getByText(/^Bereits verwendet: /).waitFor();
    const german = await result.innerText();
    assert(/Bereits verwendet: zuerst gescannt um \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}\./.test(german), `German refusal: ${german}`);
    await checkPage(page, 'door-refused-de', results);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByText('✕ Refused').waitFor();

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
    await chart.locator('svg[aria-label^="Tickets sold: 3; orders: 1;"]').waitFor({ timeout: 8000 });
    assert((await chart.locator('rect.chart-bar').count()) === 1, 'one bar: the hour of the sale');
    const sales = await admin(api, 'GET', `/api/admin/events/${id}/sales?bucket=hour`);
    assert(sales.points.length === 1 && sales.points[0].tickets === 3 && sales.points[0].revenue === 5400, `sales: ${JSON.stringify(sales)}`);
    const hour = new Date();
    hour.setUTCMinutes(0, 0, 0);
    assert(Math.abs(Date.parse(sales.points[0].at) - hour.getTime()) <= 3600e3, `the bucket is this hour: ${sales.points[0].at}`);
    await checkPage(page, 'admin-event', results);
    // In German: the console's words, money and the chart's dates for a German reader.
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByRole('heading', { name: 'Live-Zahlen' }).waitFor();
    const revenue = await page.locator('.stat', { hasText: 'Umsatz' }).locator('dd').innerText();
    assert(/^54,00\s€$/.test(revenue), `German money: ${revenue}`);
    await page.getByText(/18,00\s€ · Verfügbar: \d+/).waitFor();
    const caption = await chart.locator('figcaption').innerText();
    assert(/^Verkaufte Tickets: 3; Bestellungen: 1; von \d{2}\.\d{2}\.\d{4}, \d{2}:\d{2} bis /.test(caption), `German chart dates: ${caption}`);
    await checkPage(page, 'admin-event-de', results);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Live figures' }).waitFor();
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
