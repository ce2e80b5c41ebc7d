// One event: when and where (in the venue's time zone), its ticket types with price and
// availability, and the choice of quantities that becomes a basket (a timed hold). When the
// event sells through a waiting room, reserving takes the buyer there first (QueuePage), and
// back here once admitted, where the basket is made with the admission (once).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type EventDetail, type QueueChallenge } from '../api/client';
import { problemSentence } from '../api/problems';
import { retryWhenShed } from '../api/retry';
import { dateTime, money, number, shortDateTime, time, zoneLabel } from '../format';
import { useT } from '../i18n';
import { Link, navigate } from '../router';
import { Alert } from '../ui/Alert';
import { Title } from '../ui/Title';
import { clearChoice, forgetPlace, loadChoice, loadPlace, saveBasket, saveChoice, savePlace } from './storage';
import { buyerStrings } from './strings';

/** The basket was refused for the queue token it carried: spent, expired, forged or another event's. */
const tokenRefused = (e: unknown) => e instanceof ApiError && e.type === 'forbidden' && e.field === 'X-Queue-Token';

export function EventPage({ id }: { id: number }) {
  const { t, lang } = useT(buyerStrings);
  const [event, setEvent] = useState<EventDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  // Chosen before the waiting room, if the buyer went through it.
  const [quantities, setQuantities] = useState<Record<number, number>>(() => loadChoice(id));
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [retrying, setRetrying] = useState(false);
  // The event's waiting room (null: none, or not known), and this tab's place in it.
  const [queue, setQueue] = useState<QueueChallenge | null | undefined>(undefined);
  const [place, setPlace] = useState(() => loadPlace(id));
  const [turnEnded, setTurnEnded] = useState(false);

  useEffect(() => {
    api.event(id).then(setEvent, setLoadError);
    api.queueChallenge(id).then(setQueue, () => setQueue(null));
    const held = loadPlace(id);
    if (!held) return;
    api.queueTicket(held.ticket.token).then(
      (ticket) => {
        if (ticket.status === 'expired') {
          forgetPlace(id);
          setPlace(null);
          return setTurnEnded(true);
        }
        const next = { ...held, ticket };
        savePlace(next);
        setPlace(next);
      },
      (e) => {
        if (e instanceof ApiError && e.status === 404) {
          forgetPlace(id);
          setPlace(null);
        }
      },
    );
  }, [id]);

  if (loadError) {
    return (
      <>
        <Title text={t('notFound')} />
        <Alert>{problemSentence(lang, loadError, 'catalogue')}</Alert>
        <p>
          <Link href="/">{t('backToEvents')}</Link>
        </p>
      </>
    );
  }
  // Both answers before the page shows, so that the waiting room's notice does not push it down.
  if (!event || queue === undefined) return <p class="loading">{t('loading')}</p>;

  const max = event.max_tickets_per_order;
  const limitOf = (type: EventDetail['ticket_types'][number]) => Math.max(0, Math.min(type.available, max));
  // What is chosen, within what is left (a choice kept through the waiting room may be more).
  const picked = new Map(event.ticket_types.map((type) => [type.id, Math.min(quantities[type.id] ?? 0, limitOf(type))]));
  const chosen = [...picked.values()].reduce((a, b) => a + b, 0);
  const total = event.ticket_types.reduce((sum, type) => sum + (picked.get(type.id) ?? 0) * type.price, 0);
  const currency = event.ticket_types[0]?.currency ?? event.price_from?.currency ?? 'EUR';
  const onSale = event.status === 'on_sale';
  const admitted = place?.ticket.status === 'admitted' ? place.ticket : null;
  const toQueue = () => {
    saveChoice(id, quantities);
    navigate(`/events/${id}/queue`);
  };

  const reserve = async (e: Event) => {
    e.preventDefault();
    if (chosen === 0) return setMessage(t('chooseOne'));
    if (chosen > max) return setMessage(t('tooMany', { n: max }));
    if (queue?.enabled && !admitted) return toQueue();
    setBusy(true);
    setMessage(null);
    try {
      const items = [...picked]
        .filter(([, quantity]) => quantity > 0)
        .map(([typeId, quantity]) => ({ ticket_type_id: typeId, quantity }));
      const basket = await retryWhenShed(() => api.createBasket(items, admitted?.token), () => setRetrying(true));
      // An admission makes one basket: it is spent now.
      forgetPlace(id);
      clearChoice(id);
      saveBasket({ basket, eventId: event.id });
      navigate(`/events/${event.id}/checkout`);
    } catch (error) {
      // The queue was turned on since this page was read, or the place is not admitted yet.
      if (error instanceof ApiError && error.type === 'queue-required') return toQueue();
      if (tokenRefused(error)) {
        forgetPlace(id);
        setPlace(null);
        setTurnEnded(true);
      } else setMessage(problemSentence(lang, error, 'basket'));
      // Availability changed under us: show the new figures.
      api.event(id).then(setEvent, () => {});
    } finally {
      setBusy(false);
      setRetrying(false);
    }
  };

  let queueNotice = null;
  if (onSale && turnEnded) {
    queueNotice = (
      <Alert kind="info">
        {t('queueTurnEnded')}{' '}
        <Link href={`/events/${id}/queue`}>{t('queueJoinAgain')}</Link>
      </Alert>
    );
  } else if (onSale && admitted?.admitted_until) {
    queueNotice = <Alert kind="ok">{t('queueYourTurn', { time: time(lang, admitted.admitted_until) })}</Alert>;
  } else if (onSale && place) {
    queueNotice = (
      <Alert kind="info">
        {t('queueHavePlace')} <Link href={`/events/${id}/queue`}>{t('queueToPlace')}</Link>
      </Alert>
    );
  } else if (onSale && queue?.enabled) queueNotice = <Alert kind="info">{t('queueNotice')}</Alert>;

  return (
    <>
      <p class="back">
        <Link href="/">{t('backToEvents')}</Link>
      </p>
      <Title text={event.name} />
      {event.status !== 'on_sale' ? <p class={`badge badge-${event.status}`}>{t(`status_${event.status}`)}</p> : null}
      <dl class="facts">
        <dt>{t('starts')}</dt>
        <dd>{dateTime(lang, event.starts_at, event.timezone)}</dd>
        <dt>{t('ends')}</dt>
        <dd>{dateTime(lang, event.ends_at, event.timezone)}</dd>
        <dt>{t('venue')}</dt>
        <dd>{event.venue}</dd>
      </dl>
      <p class="hint">{t('timeZone', { zone: zoneLabel(lang, event.starts_at, event.timezone) })}</p>
      {event.sale_starts_at && event.sale_ends_at ? (
        <p class="hint">
          {t('saleWindow', {
            from: shortDateTime(lang, event.sale_starts_at, event.timezone),
            to: shortDateTime(lang, event.sale_ends_at, event.timezone),
          })}
        </p>
      ) : null}
      {event.description ? <p class="description">{event.description}</p> : null}

      <h2>{t('ticketsTitle')}</h2>
      <form onSubmit={reserve} class="ticket-form" noValidate>
        <ul class="ticket-types">
          {event.ticket_types.map((type) => {
            const limit = limitOf(type);
            const selectId = `qty-${type.id}`;
            return (
              <li class="ticket-type" key={type.id}>
                <div class="ticket-type-text">
                  <label for={selectId} class="ticket-name">
                    {type.name}
                  </label>
                  <span class="price">{money(lang, type.price, type.currency)}</span>
                  <span class="availability">
                    {type.available > 0 ? t('availableN', { n: number(lang, type.available) }) : t('soldOut')}
                  </span>
                </div>
                <select
                  id={selectId}
                  aria-label={t('quantityFor', { name: type.name })}
                  value={picked.get(type.id) ?? 0}
                  disabled={!onSale || limit === 0}
                  onChange={(e) =>
                    setQuantities({ ...quantities, [type.id]: Number((e.target as HTMLSelectElement).value) })
                  }
                >
                  {Array.from({ length: limit + 1 }, (_, n) => (
                    <option value={n} key={n}>
                      {n}
                    </option>
                  ))}
                </select>
              </li>
            );
          })}
        </ul>
        <p class="hint">{t('maxPerOrder', { n: max })}</p>
        <p class="total">
          {t('total')}: <strong>{money(lang, total, currency)}</strong>
        </p>
        {queueNotice}
        {message ? <Alert>{message}</Alert> : null}
        {onSale ? (
          <button type="submit" class="button primary" disabled={busy}>
            {retrying ? t('busyRetrying') : t('addToBasket')}
          </button>
        ) : (
          <p>{t('notOnSale')}</p>
        )}
      </form>
    </>
  );
}
