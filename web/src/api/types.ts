// The JSON shapes of the ticketsd API this app uses (see the API section of the README).
// Hand-written until the generated `schema.ts` exists; keep the names of the wire format.

export type EventStatus = 'draft' | 'on_sale' | 'sold_out' | 'cancelled';

export interface Money {
  amount: number;
  currency: string;
}

export interface EventSummary {
  id: number;
  name: string;
  description: string;
  venue: string;
  starts_at: string;
  ends_at: string;
  timezone: string;
  status: EventStatus;
  sale_starts_at: string | null;
  sale_ends_at: string | null;
  max_tickets_per_order: number;
  available_tickets: number;
  price_from: Money | null;
}

export interface TicketType {
  id: number;
  name: string;
  price: number;
  currency: string;
  capacity: number;
  available: number;
  sold?: number;
  held?: number;
}

export interface EventDetail extends EventSummary {
  ticket_types: TicketType[];
}

export interface EventListing {
  events: EventSummary[];
  count: number;
  next_cursor: string | null;
}

export interface LineItem {
  ticket_type_id: number;
  event_id: number;
  name: string;
  quantity: number;
  unit_price: number;
  currency: string;
}

export interface Basket {
  id: string;
  status: string;
  expires_at: string;
  items: LineItem[];
  total: number;
  currency: string;
}

export interface Ticket {
  code: string;
  ticket_type_id: number;
  event_id: number;
  status: 'valid' | 'void';
  checked_in_at: string | null;
}

export interface Order {
  code: string;
  secret?: string;
  status: 'paid' | 'cancelled' | 'refunded';
  email: string;
  name: string;
  items: LineItem[];
  total: number;
  currency: string;
  created_at: string;
  tickets: Ticket[];
}

export interface CheckIn {
  result: 'admitted';
  ticket: Ticket;
}

export interface Stats {
  sold: number;
  held: number;
  available: number;
  capacity: number;
  checked_in: number;
  revenue: number;
  currency: string;
}

export interface SalesPoint {
  at: string;
  tickets: number;
  orders: number;
  revenue: number;
}

export interface Sales {
  event_id: number;
  bucket: 'hour' | 'day';
  points: SalesPoint[];
  currency: string;
}

export type TokenRole = 'admin' | 'door' | 'reports';

export interface ApiToken {
  id: number;
  name: string;
  role: TokenRole;
  event_ids: number[];
  hint: string;
  created_at: string;
  revoked_at: string | null;
  token?: string;
}

export interface NewTicketType {
  name: string;
  price: number;
  currency: string;
  capacity: number;
}

export interface EventFields {
  name: string;
  description: string;
  venue: string;
  starts_at: string;
  ends_at: string;
  timezone: string;
  status: EventStatus;
  sale_starts_at: string | null;
  sale_ends_at: string | null;
  max_tickets_per_order: number;
}

export interface NewEvent extends EventFields {
  ticket_types: NewTicketType[];
}
