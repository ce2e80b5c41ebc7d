// Creating and editing an event, its ticket types and its sale (status and sale window).
// Times are entered in the venue's time zone and sent as UTC.
import { useEffect, useState } from 'preact/hooks';
import { api, type EventDetail, type EventFields, type EventStatus, type TicketType } from '../api/client';
import { problemSentence } from '../api/problems';
import { money, number } from '../format';
import { useT } from '../i18n';
import { navigate } from '../router';
import { Alert } from '../ui/Alert';
import { Title } from '../ui/Title';
import { fromLocalInput, isValidZone, toLocalInput } from '../zoned';
import { LiveFigures } from './LiveFigures';
import { adminStrings, type AdminKey } from './strings';
import { WaitingRoom } from './WaitingRoom';

type Notice = { kind: 'error' | 'ok'; text: string } | null;

function Field(props: { id: string; label: string; name: string; value?: string | number; type?: string; required?: boolean; min?: number }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input id={props.id} name={props.name} type={props.type ?? 'text'} defaultValue={props.value as string} required={props.required} min={props.min} />
    </div>
  );
}

function readFields(form: HTMLFormElement, t: (k: AdminKey) => string): EventFields | string {
  const data = new FormData(form);
  const get = (k: string) => String(data.get(k) ?? '').trim();
  const zone = get('timezone');
  if (!isValidZone(zone)) return t('badZone');
  return {
    name: get('name'),
    description: get('description'),
    venue: get('venue'),
    timezone: zone,
    starts_at: fromLocalInput(get('starts_at'), zone) ?? '',
    ends_at: fromLocalInput(get('ends_at'), zone) ?? '',
    sale_starts_at: fromLocalInput(get('sale_starts_at'), zone),
    sale_ends_at: fromLocalInput(get('sale_ends_at'), zone),
    max_tickets_per_order: Number(get('max_tickets_per_order') || 10),
    status: (get('status') || 'draft') as EventStatus,
  };
}

function EventFieldsForm({ event, prefix }: { event: Partial<EventDetail>; prefix: string }) {
  const { t } = useT(adminStrings);
  const zone = event.timezone ?? 'Europe/London';
  return (
    <>
      <Field id={`${prefix}-name`} name="name" label={t('name')} value={event.name} required />
      <div class="field">
        <label for={`${prefix}-description`}>{t('description')}</label>
        <textarea id={`${prefix}-description`} name="description" defaultValue={event.description} />
      </div>
      <Field id={`${prefix}-venue`} name="venue" label={t('venue')} value={event.venue} required />
      <Field id={`${prefix}-timezone`} name="timezone" label={t('timezone')} value={zone} required />
      <div class="field-row">
        <Field id={`${prefix}-starts`} name="starts_at" type="datetime-local" label={t('startsAt')} value={toLocalInput(event.starts_at ?? null, zone)} required />
        <Field id={`${prefix}-ends`} name="ends_at" type="datetime-local" label={t('endsAt')} value={toLocalInput(event.ends_at ?? null, zone)} required />
      </div>
      <div class="field-row">
        <Field id={`${prefix}-sale-starts`} name="sale_starts_at" type="datetime-local" label={t('saleStarts')} value={toLocalInput(event.sale_starts_at ?? null, zone)} />
        <Field id={`${prefix}-sale-ends`} name="sale_ends_at" type="datetime-local" label={t('saleEnds')} value={toLocalInput(event.sale_ends_at ?? null, zone)} />
      </div>
      <Field id={`${prefix}-max`} name="max_tickets_per_order" type="number" min={1} label={t('maxPerOrder')} value={event.max_tickets_per_order ?? 10} />
    </>
  );
}

function TicketTypeFields({ prefix, type }: { prefix: string; type?: TicketType }) {
  const { t } = useT(adminStrings);
  return (
    <div class="field-row">
      <Field id={`${prefix}-type-name`} name="type_name" label={t('typeName')} value={type?.name} required />
      <Field id={`${prefix}-price`} name="price" type="number" min={0} label={t('price')} value={type?.price ?? ''} required />
      {type ? null : <Field id={`${prefix}-currency`} name="currency" label={t('currency')} value="EUR" required />}
      <Field id={`${prefix}-capacity`} name="capacity" type="number" min={0} label={t('capacity')} value={type?.capacity ?? ''} required />
    </div>
  );
}

function readType(form: HTMLFormElement) {
  const data = new FormData(form);
  return {
    name: String(data.get('type_name') ?? '').trim(),
    price: Number(data.get('price')),
    currency: String(data.get('currency') ?? '').trim().toUpperCase(),
    capacity: Number(data.get('capacity')),
  };
}

export function NewEvent({ token }: { token: string }) {
  const { t, lang } = useT(adminStrings);
  const [notice, setNotice] = useState<Notice>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const fields = readFields(form, t);
    if (typeof fields === 'string') return setNotice({ kind: 'error', text: fields });
    const type = readType(form);
    try {
      const created = await api.createEvent(token, { ...fields, status: 'draft', ticket_types: type.name ? [type] : [] });
      navigate(`/admin/events/${created.id}?created=1`);
    } catch (error) {
      setNotice({ kind: 'error', text: problemSentence(lang, error, 'admin') });
    }
  };
  return (
    <>
      <Title text={t('newEvent')} />
      <form onSubmit={submit} class="admin-form" noValidate>
        <EventFieldsForm event={{}} prefix="new" />
        <h2>{t('ticketTypes')}</h2>
        <TicketTypeFields prefix="new" />
        {notice ? <Alert kind={notice.kind}>{notice.text}</Alert> : null}
        <button type="submit" class="button primary">
          {t('create')}
        </button>
      </form>
    </>
  );
}

export function EditEvent({ token, id, created }: { token: string; id: number; created: boolean }) {
  const { t, lang } = useT(adminStrings);
  const [event, setEvent] = useState<EventDetail | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [notice, setNotice] = useState<Notice>(created ? { kind: 'ok', text: t('created') } : null);
  const [version, setVersion] = useState(0);

  // The organisers' read: drafts too, which the public GET /api/events/{id} does not show.
  useEffect(() => {
    api.adminEvent(token, id).then(update, setLoadError);
  }, [id]);

  function update(next: EventDetail) {
    setEvent(next);
    setVersion((v) => v + 1);
  }

  const act = async (work: () => Promise<EventDetail>, ok: string) => {
    setNotice(null);
    try {
      update(await work());
      setNotice({ kind: 'ok', text: ok });
    } catch (error) {
      setNotice({ kind: 'error', text: problemSentence(lang, error, 'admin') });
    }
  };

  if (loadError) return <Alert>{problemSentence(lang, loadError, 'admin')}</Alert>;
  if (!event) return <p class="loading">…</p>;

  const save = (e: Event) => {
    e.preventDefault();
    const fields = readFields(e.currentTarget as HTMLFormElement, t);
    if (typeof fields === 'string') return setNotice({ kind: 'error', text: fields });
    const { status: _status, ...changes } = fields;
    act(() => api.updateEvent(token, id, changes), t('saved'));
  };
  const setStatus = (status: EventStatus, ok: string) => act(() => api.updateEvent(token, id, { status }), ok);
  const addType = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    act(() => api.addTicketType(token, id, readType(form)), t('saved')).then(() => form.reset());
  };
  const saveType = (typeId: number) => async (e: Event) => {
    e.preventDefault();
    const { name, price, capacity } = readType(e.currentTarget as HTMLFormElement);
    setNotice(null);
    try {
      await api.updateTicketType(token, typeId, { name, price, capacity });
      const fresh = await api.adminEvent(token, id).catch(() => null);
      if (fresh) update(fresh);
      setNotice({ kind: 'ok', text: t('saved') });
    } catch (error) {
      setNotice({ kind: 'error', text: problemSentence(lang, error, 'admin') });
    }
  };

  return (
    <>
      <p class="back">
        <a href="/admin" onClick={(e) => (e.preventDefault(), navigate('/admin'))}>
          {t('back')}
        </a>
      </p>
      <Title text={event.name} />
      <p>
        {t('status')}: <strong class={`badge badge-${event.status}`}>{t(`status_${event.status}` as AdminKey)}</strong>
      </p>
      {notice ? <Alert kind={notice.kind}>{notice.text}</Alert> : null}
      <div class="actions" role="group" aria-label={t('sale')}>
        {event.status !== 'on_sale' ? (
          <button type="button" class="button primary" onClick={() => setStatus('on_sale', t('saleOpened'))}>
            {t('openSale')}
          </button>
        ) : (
          <button type="button" class="button" onClick={() => setStatus('draft', t('saleClosed'))}>
            {t('closeSale')}
          </button>
        )}
        {event.status !== 'cancelled' ? (
          <button type="button" class="button danger" onClick={() => setStatus('cancelled', t('eventCancelled'))}>
            {t('cancelEvent')}
          </button>
        ) : null}
      </div>
      <LiveFigures token={token} eventId={id} />
      <WaitingRoom token={token} eventId={id} />
      <h2>{t('ticketTypes')}</h2>
      <ul class="admin-types">
        {event.ticket_types.map((type) => (
          <li key={`${type.id}-${version}`}>
            <form onSubmit={saveType(type.id)} class="admin-type">
              <TicketTypeFields prefix={`type-${type.id}`} type={type} />
              <p class="hint">
                {money(lang, type.price, type.currency)} · {t('available')}: {number(lang, type.available)}
              </p>
              <button type="submit" class="button">
                {t('saveType')}
              </button>
            </form>
          </li>
        ))}
      </ul>
      <form onSubmit={addType} class="admin-type" noValidate>
        <h3>{t('addType')}</h3>
        <TicketTypeFields prefix="add" />
        <button type="submit" class="button">
          {t('addType')}
        </button>
      </form>
      <h2>{t('edit')}</h2>
      <form onSubmit={save} class="admin-form" key={version} noValidate>
        <EventFieldsForm event={event} prefix="edit" />
        <button type="submit" class="button primary">
          {t('save')}
        </button>
      </form>
    </>
  );
}
