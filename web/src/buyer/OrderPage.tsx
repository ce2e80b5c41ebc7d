// An order: its tickets as QR codes, the PDF of them, and cancelling while that is allowed.
// The order's secret arrives in the fragment (#secret=…), never sent to a server by the browser,
// and is kept in localStorage so that /orders/{code} opens again later in this browser; that is
// how the payment page's way back (/orders/{code}?payment=done or =cancelled) finds it.
// An order paid online is `pending_payment` until the payment provider confirms it: the page
// reads it again every 2 s until then (at most until the payment page expires), saying so in a
// polite live region, and shows the tickets once they are issued.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type EventDetail, type Order } from '../api/client';
import { problemSentence } from '../api/problems';
import { dateTime, money, shortDateTime, time } from '../format';
import { useT } from '../i18n';
import { Link } from '../router';
import { Alert } from '../ui/Alert';
import { Title } from '../ui/Title';
import { ItemLines } from './ItemLines';
import { forgetPaying, loadSecret, saveSecret } from './storage';
import { buyerStrings, type BuyerKey } from './strings';

/** How often a pending order is read again (four times slower while the tab is hidden). */
const PENDING_MS = 2000;
/** Reading on this long past the payment page's expiry, for the provider's last word. */
const EXPIRY_GRACE_MS = 60_000;

function secretFromFragment(): string | null {
  const value = new URLSearchParams(location.hash.slice(1)).get('secret');
  return value || null;
}

/** Where the payment page sent the buyer back from: `done` (paid) or `cancelled`. */
function paymentReturn(): 'done' | 'cancelled' | null {
  const value = new URLSearchParams(location.search).get('payment');
  return value === 'done' || value === 'cancelled' ? value : null;
}

function saveFile(blob: Blob, name: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function useNow(everyMs: number, on: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!on) return;
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

export function OrderPage({ code }: { code: string }) {
  const { t, lang } = useT(buyerStrings);
  const [secret] = useState(() => {
    const fromLink = secretFromFragment();
    if (fromLink) saveSecret(code, fromLink);
    return fromLink ?? loadSecret(code);
  });
  const [returned] = useState(paymentReturn);
  const [order, setOrder] = useState<Order | null>(null);
  const [event, setEvent] = useState<EventDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ kind: 'error' | 'ok' | 'info'; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  /** Seen pending on this page: its confirmation is news worth saying. */
  const [wasPending, setWasPending] = useState(false);
  const [trouble, setTrouble] = useState(false);

  useEffect(() => {
    if (!secret) return;
    // Back from the payment page the address has no secret: it gets it again, so that the
    // address the buyer keeps opens the order anywhere, as after any other purchase.
    if (!secretFromFragment()) {
      history.replaceState(history.state, '', `${location.pathname}${location.search}#secret=${encodeURIComponent(secret)}`);
    }
    api.order(code, secret).then(({ order }) => {
      setOrder(order);
      const eventId = order.items[0]?.event_id;
      if (eventId) api.event(eventId).then(setEvent, () => {});
    }, setError);
  }, [code, secret]);

  const pending = order?.status === 'pending_payment';
  const expiresAt = order?.payment_expires_at ? Date.parse(order.payment_expires_at) : NaN;
  useEffect(() => {
    if (pending) setWasPending(true);
    else if (order) forgetPaying(order.code);
  }, [pending, order?.code]);

  // A pending order is read again until the provider's word changes it, or the time is up.
  useEffect(() => {
    if (!pending || !secret) return;
    let live = true;
    let timer = 0;
    const read = async () => {
      try {
        const { order: latest } = await api.order(code, secret);
        if (!live) return;
        setTrouble(false);
        setOrder(latest);
        if (latest.status !== 'pending_payment') return;
      } catch {
        if (!live) return;
        setTrouble(true);
      }
      if (Number.isFinite(expiresAt) && Date.now() > expiresAt + EXPIRY_GRACE_MS) return;
      timer = window.setTimeout(read, document.visibilityState === 'hidden' ? PENDING_MS * 4 : PENDING_MS);
    };
    timer = window.setTimeout(read, PENDING_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [pending, code, secret, expiresAt]);
  // The clock for the payment deadline: "Pay now" goes once the payment page has expired.
  const now = useNow(1000, pending);

  if (!secret) {
    return (
      <>
        <Title text={t('orderTitle', { code })} />
        <Alert>{t('noSecret')}</Alert>
      </>
    );
  }
  if (error) {
    return (
      <>
        <Title text={t('orderTitle', { code })} />
        <Alert>{problemSentence(lang, error, 'order')}</Alert>
      </>
    );
  }
  if (!order) return <p class="loading">{t('loading')}</p>;

  const typeName = (id: number) => order.items.find((item) => item.ticket_type_id === id)?.name ?? '';
  const zone = event?.timezone;
  const amount = (minor: number) => money(lang, minor, order.currency);
  const online = order.payment_provider === 'stripe';
  const owed = order.total - order.refunded;
  const timeUp = pending && Number.isFinite(expiresAt) && now >= expiresAt;
  const canPay = pending && !timeUp && !!order.payment_url && returned !== 'done';
  const deadline = order.payment_expires_at ? time(lang, order.payment_expires_at) : '';
  // A pending order may be cancelled before it is paid (its tickets released, its payment page
  // closed), unless the buyer has just paid and the tickets are on their way.
  const cancellable =
    order.status === 'paid' || order.status === 'partially_refunded' || (pending && !timeUp && returned !== 'done');

  // What the live region says: where the payment stands, while it is pending and once it is not.
  let paymentNews = '';
  let newsKind: 'info' | 'ok' = 'info';
  if (pending) {
    if (timeUp) paymentNews = t('payTimeUp');
    else if (returned === 'done') paymentNews = t('payIssuing');
    else if (returned === 'cancelled') paymentNews = t('payNotCompleted', { time: deadline });
    else paymentNews = t('payWaiting', { time: deadline });
    if (trouble) paymentNews += ` ${t('payTrouble')}`;
  } else if (wasPending && order.status === 'paid') {
    paymentNews = t('payConfirmed');
    newsKind = 'ok';
  }

  // The shop's reason is the server's own English.
  const reason = order.status_reason ? (
    <p>
      {t('statusReason')} <span lang="en">{order.status_reason}</span>
    </p>
  ) : null;

  const downloadPdf = async () => {
    setBusy(true);
    setNotice(null);
    try {
      saveFile(await api.ticketsPdf(order.code, secret), `tickets-${order.code}.pdf`);
    } catch (e) {
      setNotice({ kind: 'error', text: e instanceof ApiError ? problemSentence(lang, e, 'order') : t('pdfFailed') });
    } finally {
      setBusy(false);
    }
  };

  const cancel = async () => {
    setBusy(true);
    setNotice(null);
    try {
      const { order: cancelled } = await api.cancelOrder(order.code, secret);
      setOrder(cancelled);
      const refund = cancelled.refunded - order.refunded;
      const text = pending ? t('cancelledUnpaid') : refund > 0 ? t('cancelledRefund', { amount: amount(refund) }) : t('cancelled');
      setNotice({ kind: 'ok', text });
    } catch (e) {
      setNotice({ kind: 'error', text: problemSentence(lang, e, 'order') });
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <>
      <Title text={t('orderTitle', { code: order.code })} />
      <p class={`badge badge-order-${order.status}`}>{t(`orderStatus_${order.status}` as BuyerKey)}</p>
      {/* One polite live region, there from the start: the payment's progress is read out as the
          page learns of it. */}
      <div class={`payment-status${paymentNews ? ` alert alert-${newsKind}` : ''}`} role="status" aria-live="polite" aria-atomic="true">
        {paymentNews}
      </div>
      {canPay ? (
        <p>
          <a class="button primary" href={order.payment_url}>
            {t('payNow')}
          </a>
        </p>
      ) : null}
      {order.status === 'expired' ? (
        <div class="alert alert-info">
          <p>{t('expiredOrder')}</p>
          {reason}
          {event ? (
            <p>
              <Link href={`/events/${event.id}`}>{t('startAgain')}</Link>
            </p>
          ) : null}
        </div>
      ) : null}
      {order.status === 'refunded' || order.status === 'partially_refunded' ? (
        <div class="alert alert-info">
          <p>
            {order.status === 'refunded'
              ? t('refundedOrder', { amount: amount(order.refunded) })
              : t('partlyRefundedOrder', { amount: amount(order.refunded), total: amount(order.total) })}
          </p>
          {reason}
        </div>
      ) : null}
      <p>{t('orderIntro', { name: order.name })}</p>
      <p class="hint">{t('keepLink')}</p>
      {event ? (
        <p class="order-event">
          <Link href={`/events/${event.id}`}>{event.name}</Link> · {dateTime(lang, event.starts_at, event.timezone)} ·{' '}
          {event.venue}
        </p>
      ) : null}
      <ItemLines
        items={order.items}
        total={order.total}
        currency={order.currency}
        lang={lang}
        quantityText={(item) => t('quantity', { n: item.quantity, name: item.name })}
        totalText={t('total')}
      />

      {order.tickets.length > 0 ? (
        <>
          <h2>{t('yourTickets')}</h2>
          <ul class="tickets">
            {order.tickets.map((ticket, i) => (
              <li class={`ticket ticket-${ticket.status}`} key={ticket.code}>
                <h3>{t('ticketN', { n: i + 1, type: typeName(ticket.ticket_type_id) })}</h3>
                <img class="qr" src={api.qrUrl(ticket.code)} alt={t('qrAlt', { code: ticket.code })} width={240} height={240} />
                <p class="code">{t('ticketCode', { code: ticket.code })}</p>
                {ticket.status === 'void' ? <p class="badge badge-cancelled">{t('void')}</p> : null}
                {ticket.checked_in_at ? (
                  <p class="hint">{t('usedAt', { time: shortDateTime(lang, ticket.checked_in_at, zone) })}</p>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}

      {notice ? <Alert kind={notice.kind}>{notice.text}</Alert> : null}
      {order.tickets.length > 0 || cancellable ? (
        <div class="actions">
          {order.tickets.length > 0 ? (
            <button type="button" class="button primary" onClick={downloadPdf} disabled={busy}>
              {t('pdf')}
            </button>
          ) : null}
          {cancellable && !confirming ? (
            <button type="button" class="button danger" onClick={() => setConfirming(true)} disabled={busy}>
              {t('cancel')}
            </button>
          ) : null}
        </div>
      ) : null}
      {confirming ? (
        <div class="confirm" role="group" aria-labelledby="cancel-question">
          <p id="cancel-question">
            {pending
              ? t('cancelConfirmUnpaid')
              : online && owed > 0
                ? t('cancelConfirmRefund', { amount: amount(owed) })
                : t('cancelConfirm')}
          </p>
          <button type="button" class="button danger" onClick={cancel} disabled={busy}>
            {t('cancel')}
          </button>
          <button type="button" class="button" onClick={() => setConfirming(false)}>
            {t('keep')}
          </button>
        </div>
      ) : null}
    </>
  );
}
