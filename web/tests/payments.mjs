// The journeys of paying online, against ticketsd configured with the repository's test double
// of Stripe (tests/doubles/stripe_double.py): its hosted payment page stands in for Stripe
// Checkout, and its control API (/_double/…) completes or expires a payment on cue, as Stripe
// would when the buyer pays or the time runs out, sending ticketsd the signed webhook.
import { buy, call, checkoutOnline, createEvent, sessionOf } from './api.mjs';
import { checkPage } from './browser.mjs';
import { assert, onPaymentPage, withBrowser } from './journeys.mjs';

const orderOf = (api, order) => call(api, 'GET', `/api/orders/${order.code}`, { headers: { 'X-Order-Secret': order.secret } });
const available = async (api, event) => (await call(api, 'GET', `/api/events/${event.id}`)).ticket_types[0].available;
/** The event's tickets on sale come to `n` (the public catalogue may be a second stale). */
const availableComesTo = (api, event, n, what) => until(async () => (await available(api, event)) === n, `${what}: ${n} available`);
/** The order page's live region, where the payment's progress is said. */
const news = (page) => page.locator('.payment-status');

/** Waits until `check` holds, reading every 200 ms for at most `ms`; `what` names it in the error. */
async function until(check, what, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`not in ${ms / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * 6c: the buyer leaves the payment page unpaid and cancels the order: nothing charged, the
 * tickets back on sale, and the payment page closed (the double's session expired by ticketsd's
 * outbox).
 */
export async function cancelBeforePaying({ base, api, stripe }, results) {
  const event = await createEvent(api, { name: 'Second Thoughts Night', capacity: 10, price: 2500 });
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/events/${event.id}`);
    await page.getByLabel('Number of “Standing” tickets').selectOption('2');
    await page.getByRole('button', { name: 'Reserve tickets' }).click();
    await page.waitForURL(/\/checkout$/);
    await page.getByLabel('Full name').fill('Second Thoughts');
    await page.getByLabel('Email').fill('second@example.com');
    await page.getByRole('button', { name: /Buy now for €50\.00/ }).click();
    const code = await onPaymentPage(page, base, stripe, 'Cancel');
    const secret = await page.evaluate((code) => localStorage.getItem(`tickets.order.${code}`), code);
    const { order } = await orderOf(api, { code, secret });
    assert(order.status === 'pending_payment', `pending: ${JSON.stringify(order)}`);
    await availableComesTo(api, event, 8, 'held while pending');
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByText('Cancel this order before paying? Its tickets are released and nothing is charged.').waitFor();
    await page.getByRole('group').getByRole('button', { name: 'Cancel order' }).click();
    await page.getByText('The order is cancelled before it was paid: nothing was charged.').waitFor();
    const after = (await orderOf(api, { code, secret })).order;
    assert(after.status === 'cancelled' && after.refunded === 0, `cancelled, nothing refunded: ${JSON.stringify(after)}`);
    await availableComesTo(api, event, 10, 'released when cancelled');
    const session = sessionOf(order);
    await until(async () => (await stripe.call('GET', `/_double/sessions/${session}`)).status === 'expired', 'the payment page closed at the provider');
    assert((await page.getByRole('link', { name: 'Pay now' }).count()) === 0, 'nothing left to pay');
    await checkPage(page, 'order-cancelled-unpaid', results);
  });
}

/**
 * 6a: the buyer cancels on the payment page: back at the order, pending, told that the payment
 * was not completed and offered "Pay now" (the order's payment_url), also in German; paying
 * there issues the tickets.
 */
export async function payLater({ base, api, stripe }, results) {
  const event = await createEvent(api, { name: 'Pay Later Night', capacity: 10, price: 2500 });
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/events/${event.id}`);
    await page.getByLabel('Number of “Standing” tickets').selectOption('1');
    await page.getByRole('button', { name: 'Reserve tickets' }).click();
    await page.waitForURL(/\/checkout$/);
    await page.getByLabel('Full name').fill('Later Buyer');
    await page.getByLabel('Email').fill('later@example.com');
    await page.getByRole('button', { name: /Buy now for €25\.00/ }).click();
    const code = await onPaymentPage(page, base, stripe, 'Cancel');
    const secret = await page.evaluate((code) => localStorage.getItem(`tickets.order.${code}`), code);
    assert(secret, 'the order’s secret was kept before leaving for the payment page');
    const { order } = await orderOf(api, { code, secret });
    assert(order.status === 'pending_payment' && order.payment_url, `still payable: ${JSON.stringify(order)}`);

    await page.getByText('Awaiting payment', { exact: true }).waitFor();
    await news(page).getByText(/^Your payment was not completed and nothing was charged\. Your tickets stay held until \d{2}:\d{2}:\d{2}: you can pay now\.$/).waitFor();
    assert((await news(page).getAttribute('role')) === 'status' && (await news(page).getAttribute('aria-live')) === 'polite', 'a polite live region');
    const payNow = page.getByRole('link', { name: 'Pay now' });
    assert((await payNow.getAttribute('href')) === order.payment_url, `"Pay now" goes to the payment page: ${await payNow.getAttribute('href')}`);
    assert((await page.getByRole('img', { name: /QR code/ }).count()) === 0, 'no tickets before the payment');
    assert((await page.getByRole('button', { name: 'Cancel order' }).count()) === 1, 'the order may be cancelled before it is paid');
    await checkPage(page, 'order-payment-cancelled', results);
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await news(page).getByText(/^Ihre Zahlung wurde nicht abgeschlossen, es wurde nichts berechnet\./).waitFor();
    await page.getByRole('link', { name: 'Jetzt bezahlen' }).waitFor();
    await page.getByText('Zahlung ausstehend', { exact: true }).waitFor();
    await checkPage(page, 'order-payment-cancelled-de', results);
    await page.getByRole('button', { name: 'English' }).click();

    // The checkout, opened again in this tab, points to the order being paid.
    await page.goto(`${base}/events/${event.id}/checkout`);
    await page.getByText(`Your order ${code} is waiting for payment.`).waitFor();
    await page.getByRole('link', { name: 'Go to your order' }).click();
    await page.waitForURL(new RegExp(`/orders/${code}(#|$)`));
    await news(page).getByText(/^This order is waiting for your payment\. Pay by \d{2}:\d{2}:\d{2}/).waitFor();

    await page.getByRole('link', { name: 'Pay now' }).click();
    assert((await onPaymentPage(page, base, stripe, 'Pay')) === code, 'back at the same order');
    await page.getByRole('img', { name: /QR code of ticket/ }).waitFor();
    await page.getByText('Paid', { exact: true }).waitFor();
    assert((await page.getByRole('link', { name: 'Pay now' }).count()) === 0, 'nothing left to pay');
    assert((await orderOf(api, { code, secret })).order.status === 'paid', 'paid at the server');
  });
}

/**
 * 6b: an order waiting for its payment (checked out through the API): the order page says so,
 * back from the payment page says "Payment received, issuing your tickets…" in its live region
 * and reads the order every 2 s, so the tickets appear without a reload once the provider's
 * webhook arrives. An order whose payment page expired says its tickets were released (and they
 * are); one paid only after its tickets were sold to someone else says it was refunded, and why.
 */
export async function pendingOrders({ base, api, stripe }, results) {
  const event = await createEvent(api, { name: 'Webhook Night', capacity: 10, price: 2500 });
  const typeId = event.ticket_types[0].id;
  const pending = await checkoutOnline(api, typeId, 2);
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/orders/${pending.code}#secret=${pending.secret}`);
    await news(page).getByText(/^This order is waiting for your payment\. Pay by \d{2}:\d{2}:\d{2} to get your tickets/).waitFor();
    assert((await page.getByRole('link', { name: 'Pay now' }).getAttribute('href')) === pending.payment_url, 'Pay now');
    await checkPage(page, 'order-pending', results);

    // Back from paying, before the provider's word has arrived.
    const reads = [];
    page.on('request', (r) => new URL(r.url()).pathname === `/api/orders/${pending.code}` && reads.push(Date.now()));
    await page.goto(`${base}/orders/${pending.code}?payment=done`);
    await news(page).getByText('Payment received, issuing your tickets…', { exact: true }).waitFor();
    assert((await page.getByRole('link', { name: 'Pay now' }).count()) === 0, 'no "Pay now" once paid');
    await checkPage(page, 'order-payment-issuing', results);
    await until(() => reads.length >= 3, 'the pending order is read again');
    const gaps = reads.slice(1).map((at, i) => at - reads[i]);
    assert(gaps.every((ms) => ms >= 1500 && ms <= 5000), `read every ~2 s: ${JSON.stringify(gaps)}`);
    await stripe.call('POST', `/_double/sessions/${sessionOf(pending)}/complete`, { send_webhook: true });
    const qr = page.getByRole('img', { name: /QR code of ticket/ });
    await qr.nth(1).waitFor({ timeout: 8000 });
    await news(page).getByText('Payment confirmed: your tickets are ready.', { exact: true }).waitFor();
    await page.getByText('Paid', { exact: true }).waitFor();
    const settled = reads.length;
    await page.waitForTimeout(2500);
    assert(reads.length === settled, 'no more reading once paid');

    // The payment page expired: the order too, and its tickets are back on sale.
    const before = await available(api, event);
    const lapsed = await checkoutOnline(api, typeId, 3);
    await availableComesTo(api, event, before - 3, 'held while it can be paid');
    await stripe.call('POST', `/_double/sessions/${sessionOf(lapsed)}/expire`, { send_webhook: true });
    await availableComesTo(api, event, before, 'released once expired');
    await page.goto(`${base}/orders/${lapsed.code}#secret=${lapsed.secret}`);
    await page.getByText('Expired', { exact: true }).waitFor();
    await page.getByText('This order was not paid in time, so its tickets were released for other buyers. Nothing was charged.').waitFor();
    await page.getByText('the payment was not completed in time').waitFor();
    assert((await page.getByRole('link', { name: 'Pay now' }).count()) === 0, 'nothing to pay');
    await checkPage(page, 'order-expired', results);

    // Paid after its time ran out and its one ticket was sold at the box office: refunded.
    const single = await createEvent(api, { name: 'Late Payment Recital', capacity: 1, price: 4000 });
    const late = await checkoutOnline(api, single.ticket_types[0].id, 1);
    await stripe.call('POST', `/_double/sessions/${sessionOf(late)}/expire`, { send_webhook: true });
    await buy(api, single.ticket_types[0].id, 1);
    await stripe.call('POST', `/_double/sessions/${sessionOf(late)}/complete`, { send_webhook: true, force: true });
    const { order } = await orderOf(api, late);
    assert(order.status === 'refunded' && order.refunded === 4000 && order.status_reason, `refunded late: ${JSON.stringify(order)}`);
    await page.goto(`${base}/orders/${late.code}#secret=${late.secret}`);
    await page.getByText('Refunded', { exact: true }).waitFor();
    await page.getByText('€40.00 is refunded to the card or account you paid with.', { exact: false }).waitFor();
    await page.getByText(order.status_reason, { exact: true }).waitFor();
    await checkPage(page, 'order-refunded-late', results);
    await page.getByRole('button', { name: 'Deutsch' }).click();
    await page.getByText(/^40,00\s€ wird auf die Karte oder das Konto erstattet/).waitFor();
    await page.getByText('Begründung des Shops:').waitFor();
    await page.getByRole('button', { name: 'English' }).click();
  });
}

/**
 * 6c: the buyer cancels an order paid online: told what is refunded before and after, the
 * order refunded and its tickets void; the refund reaches the payment provider.
 */
export async function buyerRefund({ base, api, stripe }, results) {
  const event = await createEvent(api, { name: 'Refund Night', capacity: 10, price: 2500 });
  const order = await checkoutOnline(api, event.ticket_types[0].id, 2);
  await stripe.call('POST', `/_double/sessions/${sessionOf(order)}/complete`, { send_webhook: true });
  const session = await stripe.call('GET', `/_double/sessions/${sessionOf(order)}`);
  assert((await orderOf(api, order)).order.status === 'paid', 'paid online');
  const before = await available(api, event);
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/orders/${order.code}#secret=${order.secret}`);
    await page.getByRole('img', { name: /QR code of ticket/ }).nth(1).waitFor();
    await page.getByRole('button', { name: 'Cancel order' }).click();
    await page.getByText('Cancel this order? Its tickets stop working at once and €50.00 is refunded to the card or account you paid with.').waitFor();
    await checkPage(page, 'order-cancel-refund', results);
    await page.locator('.confirm').getByRole('button', { name: 'Cancel order' }).click();
    await page.getByRole('status').getByText('The order is cancelled and its tickets are void; €50.00 is refunded to the card or account you paid with.').waitFor();
    await page.getByText('Refunded', { exact: true }).waitFor();
    await page.getByText(/^€50\.00 is refunded to the card or account you paid with\./).waitFor();
    assert((await page.locator('.ticket .badge-cancelled').count()) === 2, 'both tickets void');
    assert((await page.getByRole('button', { name: 'Cancel order' }).count()) === 0, 'nothing left to cancel');
    await checkPage(page, 'order-refunded', results);
    // Opened again later: still refunded.
    await page.goto(`${base}/orders/${order.code}`);
    await page.getByText('Refunded', { exact: true }).waitFor();
  });
  const { order: after } = await orderOf(api, order);
  assert(after.status === 'refunded' && after.refunded === 5000, `refunded: ${JSON.stringify(after)}`);
  await availableComesTo(api, event, before + 2, 'the tickets are back on sale');
  // The refund is delivered to the provider by ticketsd's outbox, within seconds.
  const refund = await until(async () => {
    const { data } = await stripe.call('GET', '/_double/refunds');
    return data.find((r) => r.payment_intent === session.payment_intent);
  }, 'the refund reaches the payment provider');
  assert(refund.amount === 5000 && refund.status === 'succeeded', `the refund: ${JSON.stringify(refund)}`);
}

/** 6d: a shop without online payment configured explains why priced tickets cannot be bought. */
export async function paymentsOff({ base }, results) {
  await withBrowser({}, results, async (page) => {
    await page.goto(`${base}/events/1`);
    await page.getByLabel('Number of “General Admission” tickets').selectOption('1');
    await page.getByRole('button', { name: 'Reserve tickets' }).click();
    await page.waitForURL(/\/checkout$/);
    await page.getByLabel('Full name').fill('Offline Buyer');
    await page.getByLabel('Email').fill('offline@example.com');
    const [response] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/checkout'),
      page.getByRole('button', { name: /Buy now/ }).click(),
    ]);
    assert(response.status() === 503 && (await response.json()).type === '/problems/payments-not-configured', `checkout: ${response.status()}`);
    await page.getByRole('alert').getByText(/^This shop cannot take payments online at the moment, so these tickets cannot be bought here now\. Nothing was charged\./).waitFor();
    await page.getByRole('timer').waitFor();
    assert(/\/checkout$/.test(page.url()), 'still at the basket');
    await checkPage(page, 'checkout-payments-off', results);
  });
}
