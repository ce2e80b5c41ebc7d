// The catalogue: search by text, date range and status; more pages through next_cursor.
// The search lives in the address (?q=&from=&to=&status=) so it can be shared and reloaded.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type EventSummary, type EventQuery } from '../api/client';
import { problemSentence } from '../api/problems';
import { shortDateTime, money, number } from '../format';
import { useT } from '../i18n';
import { Link, navigate, usePlace } from '../router';
import { Alert } from '../ui/Alert';
import { Title } from '../ui/Title';
import { buyerStrings, type BuyerKey } from './strings';

/** A date (YYYY-MM-DD) as the start of that day in UTC, the API's RFC 3339. */
const dayStart = (day: string) => (day ? `${day}T00:00:00Z` : undefined);
const dayAfter = (day: string) => {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
};

export function EventList() {
  const { t, lang } = useT(buyerStrings);
  const { search } = usePlace();
  const q = search.get('q') ?? '';
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const status = search.get('status') ?? '';
  const [events, setEvents] = useState<EventSummary[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const list = useRef<HTMLUListElement>(null);
  // After "more events": the first event of the new page takes the focus (the button may be gone).
  const focusFrom = useRef<number | null>(null);
  // The query the list shows; a page that arrives for an older query is dropped.
  const queryKey = `${q}|${from}|${to}|${status}`;
  const shown = useRef(queryKey);
  shown.current = queryKey;

  // An unknown status in the address goes to the server as it is, which explains the problem.
  const params: EventQuery = { q, from: dayStart(from), to: dayAfter(to), status: (status || undefined) as EventQuery['status'], limit: 12 };

  useEffect(() => {
    const abort = new AbortController();
    setEvents(null);
    setCursor(null);
    setError(null);
    setBusy(false);
    api
      .events(params, abort.signal)
      .then((page) => {
        setEvents(page.events);
        setCursor(page.next_cursor);
      })
      .catch((e) => abort.signal.aborted || setError(e));
    return () => abort.abort();
  }, [queryKey]);

  useEffect(() => {
    if (focusFrom.current === null || !events) return;
    const link = list.current?.children[focusFrom.current]?.querySelector('a');
    focusFrom.current = null;
    link?.focus();
  }, [events]);

  const more = async () => {
    if (!cursor || busy) return;
    const asked = queryKey;
    setBusy(true);
    try {
      const page = await api.events({ ...params, cursor });
      if (shown.current !== asked) return;
      focusFrom.current = events?.length ?? 0;
      setEvents([...(events ?? []), ...page.events]);
      setCursor(page.next_cursor);
    } catch (e) {
      if (shown.current === asked) setError(e);
    } finally {
      if (shown.current === asked) setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const next = new URLSearchParams();
    for (const key of ['q', 'from', 'to', 'status']) {
      const value = String(form.get(key) ?? '').trim();
      if (value) next.set(key, value);
    }
    const text = next.toString();
    navigate(text ? `/?${text}` : '/');
  };

  return (
    <>
      <Title text={t('eventsTitle')} />
      <form class="filters" role="search" onSubmit={submit} key={`${q}|${from}|${to}|${status}`}>
        <div class="field field-wide">
          <label for="q">{t('searchLabel')}</label>
          <input id="q" name="q" type="search" defaultValue={q} autoComplete="off" />
        </div>
        <div class="field">
          <label for="from">{t('fromLabel')}</label>
          <input id="from" name="from" type="date" defaultValue={from} />
        </div>
        <div class="field">
          <label for="to">{t('toLabel')}</label>
          <input id="to" name="to" type="date" defaultValue={to} />
        </div>
        <div class="field">
          <label for="status">{t('statusLabel')}</label>
          <select id="status" name="status" defaultValue={status}>
            <option value="">{t('statusAny')}</option>
            <option value="on_sale">{t('status_on_sale')}</option>
            <option value="sold_out">{t('status_sold_out')}</option>
            <option value="cancelled">{t('status_cancelled')}</option>
          </select>
        </div>
        <div class="filter-actions">
          <button type="submit" class="button primary">
            {t('search')}
          </button>
          {q || from || to || status ? (
            <button type="button" class="button" onClick={() => navigate('/')}>
              {t('clearFilters')}
            </button>
          ) : null}
        </div>
      </form>
      {error ? <Alert>{problemSentence(lang, error, 'catalogue')}</Alert> : null}
      {events === null && !error ? <p class="loading">{t('loading')}</p> : null}
      {events && events.length === 0 ? <p>{t('noEvents')}</p> : null}
      {events && events.length > 0 ? (
        <ul class="event-list" ref={list}>
          {events.map((event) => (
            <li class="event-card" key={event.id}>
              <h2>
                <Link href={`/events/${event.id}`}>{event.name}</Link>
              </h2>
              <p class="when">{shortDateTime(lang, event.starts_at, event.timezone)}</p>
              <p class="where">{event.venue}</p>
              <p class="meta">
                {event.status !== 'on_sale' ? (
                  <span class={`badge badge-${event.status}`}>{t(`status_${event.status}` as BuyerKey)}</span>
                ) : event.available_tickets > 0 ? (
                  <span>{t('left', { n: number(lang, event.available_tickets) })}</span>
                ) : (
                  <span>{t('none')}</span>
                )}
                {event.price_from ? (
                  <span class="price">
                    {t('from', { price: money(lang, event.price_from.amount, event.price_from.currency) })}
                  </span>
                ) : null}
              </p>
            </li>
          ))}
        </ul>
      ) : null}
      {cursor ? (
        <button type="button" class="button" onClick={more} disabled={busy}>
          {busy ? t('loading') : t('more')}
        </button>
      ) : null}
    </>
  );
}
