// A small typed client for the ticketsd JSON API. Errors come back as ApiError, built from the
// problem+json body (RFC 9457); ui code turns them into sentences (see problems.ts).
// The wire types are those generated from the API document (schema.ts); types.ts holds only
// what the document does not describe.
import type { components, operations } from './schema';
import type { EventFields } from './types';

type Schemas = components['schemas'];
export type EventStatus = Schemas['EventStatus'];
export type EventSummary = Schemas['EventSummary'];
/** An event with its ticket types. */
export type EventDetail = Schemas['Event'];
export type EventListing = Schemas['EventListing'];
export type TicketType = Schemas['TicketType'];
export type NewTicketType = Schemas['NewTicketType'];
export type NewEvent = Schemas['NewEvent'];
export type EventPatch = Schemas['EventPatch'];
export type Basket = Schemas['Basket'];
export type Ticket = Schemas['Ticket'];
/** An order as its holder reads it (no secret). */
export type Order = Schemas['Order'];
/** An order as the checkout answers it, with its secret. */
export type CreatedOrder = Schemas['CreatedOrder'];
export type CheckIn = Schemas['CheckInResult'];
/** An event's admitted count against its capacity, for the door (no money). */
export type DoorFigures = Schemas['DoorFigures'];
export type Stats = Schemas['Stats'];
export type Sales = Schemas['Sales'];
export type SalesBucket = Sales['bucket'];
export type TokenRole = Schemas['Role'];
/** An API token as listed: never its secret. */
export type ApiToken = Schemas['Token'];
/** A token just issued, with its secret (shown this once). */
export type IssuedToken = Schemas['IssuedToken'];
/** Whether an event sells through its waiting room, and the proof of work a join asks. */
export type QueueChallenge = Schemas['QueueChallenge'];
/** A buyer's place in a waiting room: its token and what it means now. */
export type QueueTicket = Schemas['QueueTicket'];
export type QueueSettings = Schemas['QueueSettings'];
/** A waiting room as its organiser sees it. */
export type QueueReport = Schemas['QueueReport'];
export type { EventFields };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** The problem type's slug: `sold-out` for `/problems/sold-out`; `network` when unreachable. */
    readonly type: string,
    readonly detail: string,
    readonly field: string | undefined,
    /** The whole problem body, for extension members such as `first_checked_in_at`. */
    readonly body: Record<string, unknown>,
    /** Seconds the server asks to wait before a retry (`Retry-After`), when it says. */
    readonly retryAfter?: number,
  ) {
    super(detail || type);
  }
}

interface Options {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  token?: string;
  signal?: AbortSignal;
}

async function send(path: string, options: Options = {}): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
      cache: 'no-store',
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', '', undefined, {});
  }
  if (!response.ok) throw await toError(response);
  return response;
}

async function toError(response: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await response.json()) as Record<string, unknown>;
  } catch {
    // Not a problem body (a proxy's page, say): the status alone has to do.
  }
  const type = typeof body.type === 'string' ? body.type.replace(/^.*\/problems\//, '') : `http-${response.status}`;
  return new ApiError(
    response.status,
    type,
    typeof body.detail === 'string' ? body.detail : '',
    typeof body.field === 'string' ? body.field : undefined,
    body,
    retryAfter(response.headers.get('Retry-After')),
  );
}

/** `Retry-After` in seconds: delay-seconds or an HTTP date. */
function retryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

async function json<T>(path: string, options?: Options): Promise<T> {
  const response = await send(path, options);
  return (await response.json()) as T;
}

/** The query of GET /api/events, also taken by GET /api/admin/events. */
export type EventQuery = NonNullable<operations['listEvents']['parameters']['query']>;
/** The same query for organisers, where `status` may also be `draft`. */
export type AdminEventQuery = NonNullable<operations['listAdminEvents']['parameters']['query']>;

function query(params: AdminEventQuery): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const orderHeaders = (secret: string) => ({ 'X-Order-Secret': secret });

export const api = {
  events: (params: EventQuery, signal?: AbortSignal) =>
    json<EventListing>(`/api/events${query(params)}`, { signal }),
  event: (id: number) => json<EventDetail>(`/api/events/${id}`),

  /** A basket; `queueToken` is the admitted waiting-room token its event asks for, if any. */
  createBasket: (items: { ticket_type_id: number; quantity: number }[], queueToken?: string) =>
    json<Basket>('/api/basket', {
      method: 'POST',
      body: { items },
      headers: queueToken ? { 'X-Queue-Token': queueToken } : undefined,
    }),
  basket: (id: string) => json<Basket>(`/api/basket/${encodeURIComponent(id)}`),
  deleteBasket: (id: string) => send(`/api/basket/${encodeURIComponent(id)}`, { method: 'DELETE' }),

  checkout: (basketId: string, name: string, email: string, idempotencyKey: string) =>
    json<Schemas['Checkout']>('/api/checkout', {
      method: 'POST',
      body: { basket_id: basketId, email, name },
      headers: { 'Idempotency-Key': idempotencyKey },
    }),
  order: (code: string, secret: string) =>
    json<Schemas['OrderEnvelope']>(`/api/orders/${encodeURIComponent(code)}`, { headers: orderHeaders(secret) }),
  cancelOrder: (code: string, secret: string) =>
    json<Schemas['OrderEnvelope']>(`/api/orders/${encodeURIComponent(code)}/cancel`, {
      method: 'POST',
      headers: orderHeaders(secret),
    }),
  ticketsPdf: async (code: string, secret: string): Promise<Blob> => {
    const response = await send(`/api/orders/${encodeURIComponent(code)}/tickets.pdf`, {
      headers: { ...orderHeaders(secret), Accept: 'application/pdf' },
    });
    return response.blob();
  },
  qrUrl: (ticketCode: string) => `/api/tickets/${encodeURIComponent(ticketCode)}/qr.svg`,

  /** Whether the event's baskets need a place in its waiting room, and the proof of work asked. */
  queueChallenge: (eventId: number) => json<QueueChallenge>(`/api/events/${eventId}/queue`),
  /** A place in the event's waiting room; `proof` when a proof of work is asked. */
  joinQueue: (eventId: number, proof?: { challenge: string; nonce: string }) =>
    json<QueueTicket>(`/api/events/${eventId}/queue`, { method: 'POST', body: proof }),
  queueTicket: (token: string, signal?: AbortSignal) =>
    json<QueueTicket>(`/api/queue/${encodeURIComponent(token)}`, { signal }),

  checkIn: (token: string, code: string, eventId: number) =>
    json<CheckIn>('/api/checkin', { method: 'POST', token, body: { code, event_id: eventId } }),
  /** Admitted, sold and capacity of one event (its door token, or an admin or reports token). */
  doorFigures: (token: string, eventId: number, signal?: AbortSignal) =>
    json<DoorFigures>(`/api/checkin/events/${eventId}`, { token, signal }),

  /** Every event, drafts included (admin or reports token). */
  adminEvents: (token: string, params: AdminEventQuery) =>
    json<EventListing>(`/api/admin/events${query(params)}`, { token }),
  /** One event with its ticket types, drafts included (admin or reports token). */
  adminEvent: (token: string, id: number) => json<EventDetail>(`/api/admin/events/${id}`, { token }),
  createEvent: (token: string, event: NewEvent) =>
    json<EventDetail>('/api/admin/events', { method: 'POST', token, body: event }),
  updateEvent: (token: string, id: number, changes: EventPatch) =>
    json<EventDetail>(`/api/admin/events/${id}`, { method: 'PATCH', token, body: changes }),
  addTicketType: (token: string, eventId: number, type: NewTicketType) =>
    json<EventDetail>(`/api/admin/events/${eventId}/ticket-types`, { method: 'POST', token, body: type }),
  updateTicketType: (token: string, id: number, changes: Partial<NewTicketType>) =>
    json<TicketType>(`/api/admin/ticket-types/${id}`, { method: 'PATCH', token, body: changes }),
  stats: (token: string, eventId: number) => json<Stats>(`/api/admin/events/${eventId}/stats`, { token }),
  /** Paid sales per hour or day; buckets without sales are left out. */
  sales: (token: string, eventId: number, bucket: SalesBucket) =>
    json<Sales>(`/api/admin/events/${eventId}/sales?bucket=${bucket}`, { token }),
  /** An event's waiting room: settings and live figures (admin or reports token). */
  queueReport: (token: string, eventId: number, signal?: AbortSignal) =>
    json<QueueReport>(`/api/admin/events/${eventId}/queue`, { token, signal }),
  configureQueue: (token: string, eventId: number, settings: QueueSettings) =>
    json<QueueReport>(`/api/admin/events/${eventId}/queue`, { method: 'PUT', token, body: settings }),
  tokens: (token: string) => json<Schemas['TokenList']>('/api/admin/tokens', { token }),
  createToken: (token: string, name: string, role: TokenRole, eventIds: number[]) =>
    json<IssuedToken>('/api/admin/tokens', {
      method: 'POST',
      token,
      body: role === 'door' ? { name, role, event_ids: eventIds } : { name, role },
    }),
  revokeToken: (token: string, id: number) => send(`/api/admin/tokens/${id}`, { method: 'DELETE', token }),
};
