// One event: when and where (in the venue's time zone), its ticket types with price and
// availability, and the choice of quantities that becomes a basket (a timed hold).
import { useEffect, useState } from 'preact/hooks';
import { api, type EventDetail } from '../api/client';
import { problemSentence } from '../api/problems';
import { dateTime, money, number, shortDateTime, zoneLabel } from '../format';
import { useT } from '../i18n';
import { Link, navigate } from '../router';
import { Alert } from '../ui/Alert';
import { Title } from '../ui/Title';
import { saveBasket } from './storage';
import { buyerStrings } from './strings';

export function EventPage({ id }: { id: number }) {
  const { t, lang } = useT(buyerStrings);
  const [event, setEvent] = useState<EventDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [quantities, setQuantities] = useState<Record<number, number>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.event(id).then(setEvent, setLoadError);
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
  if (!event) return <p class="loading">{t('loading')}</p>;

  const max = event.max_tickets_per_order;
  const chosen = Object.values(quantities).reduce((a, b) => a + b, 0);
  const total = event.ticket_types.reduce((sum, type) => sum + (quantities[type.id] ?? 0) * type.price, 0);
  const currency = event.ticket_types[0]?.currency ?? event.price_from?.currency ?? 'EUR';
  const onSale = event.status === 'on_sale';

  const reserve = async (e: Event) => {
    e.preventDefault();
    if (chosen === 0) return setMessage(t('chooseOne'));
    if (chosen > max) return setMessage(t('tooMany', { n: max }));
    setBusy(true);
    setMessage(null);
    try {
      const items = Object.entries(quantities)
        .filter(([, quantity]) => quantity > 0)
        .map(([typeId, quantity]) => ({ ticket_type_id: Number(typeId), quantity }));
      const basket = await api.createBasket(items);
      saveBasket({ basket, eventId: event.id });
      navigate(`/events/${event.id}/checkout`);
    } catch (error) {
      setMessage(problemSentence(lang, error, 'basket'));
      // Availability changed under us: show the new figures.
      api.event(id).then(setEvent, () => {});
    } finally {
      setBusy(false);
    }
  };

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
            const limit = Math.min(type.available, max);
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
                  value={quantities[type.id] ?? 0}
                  disabled={!onSale || limit === 0}
                  onChange={(e) =>
                    setQuantities({ ...quantities, [type.id]: Number((e.target as HTMLSelectElement).value) })
                  }
                >
                  {Array.from({ length: Math.max(0, limit) + 1 }, (_, n) => (
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
        {message ? <Alert>{message}</Alert> : null}
        {onSale ? (
          <button type="submit" class="button primary" disabled={busy}>
            {t('addToBasket')}
          </button>
        ) : (
          <p>{t('notOnSale')}</p>
        )}
      </form>
    </>
  );
}
