// An order: its tickets as QR codes, the PDF of them, and cancelling while that is allowed.
// The order's secret arrives in the fragment (#secret=…), never sent to a server by the browser,
// and is kept in localStorage so that /orders/{code} opens again later in this browser.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type EventDetail, type Order } from '../api/client';
import { problemSentence } from '../api/problems';
import { dateTime, shortDateTime } from '../format';
import { useT } from '../i18n';
import { Link } from '../router';
import { Alert } from '../ui/Alert';
import { Title } from '../ui/Title';
import { ItemLines } from './ItemLines';
import { loadSecret, saveSecret } from './storage';
import { buyerStrings, type BuyerKey } from './strings';

function secretFromFragment(): string | null {
  const value = new URLSearchParams(location.hash.slice(1)).get('secret');
  return value || null;
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

export function OrderPage({ code }: { code: string }) {
  const { t, lang } = useT(buyerStrings);
  const [secret] = useState(() => {
    const fromLink = secretFromFragment();
    if (fromLink) saveSecret(code, fromLink);
    return fromLink ?? loadSecret(code);
  });
  const [order, setOrder] = useState<Order | null>(null);
  const [event, setEvent] = useState<EventDetail | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ kind: 'error' | 'ok' | 'info'; text: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!secret) return;
    api.order(code, secret).then(({ order }) => {
      setOrder(order);
      const eventId = order.items[0]?.event_id;
      if (eventId) api.event(eventId).then(setEvent, () => {});
    }, setError);
  }, [code, secret]);

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
      setNotice({ kind: 'ok', text: t('cancelled') });
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

      {notice ? <Alert kind={notice.kind}>{notice.text}</Alert> : null}
      <div class="actions">
        <button type="button" class="button primary" onClick={downloadPdf} disabled={busy}>
          {t('pdf')}
        </button>
        {order.status === 'paid' && !confirming ? (
          <button type="button" class="button danger" onClick={() => setConfirming(true)} disabled={busy}>
            {t('cancel')}
          </button>
        ) : null}
      </div>
      {confirming ? (
        <div class="confirm" role="group" aria-labelledby="cancel-question">
          <p id="cancel-question">{t('cancelConfirm')}</p>
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
