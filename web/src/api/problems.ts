// API errors as sentences a person can act on, in both languages. Keyed by problem type
// (`/problems/<type>`); a context picks the sentence where one type means different things
// (410 `gone` is an expired basket at checkout, a void ticket at the door; 403 `forbidden` is a
// token's role in the console, a refused proof of work in the waiting room).
import { interpolate, type Lang } from '../i18n';
import { ApiError } from './client';

type Sentences = Record<string, string>;

const en: Sentences = {
  'sold-out': 'Sorry, there are not enough tickets left for this choice.',
  'sold-out-left': 'Sorry, there are not enough tickets left: only {available} available.',
  'not-on-sale': 'Tickets for this event are not on sale right now.',
  'basket-expired': 'Your basket has expired and its tickets were released.',
  gone: 'This is no longer available.',
  'order-admitted': 'This order cannot be cancelled: one of its tickets has already been used at the door.',
  'event-started': 'This order cannot be cancelled: the event has already started.',
  conflict: 'This cannot be done in the current state: {detail}.',
  'already-paid': 'This basket has already been paid for, or is being paid for, in another checkout.',
  'validation-failed': 'Please check your entries: {detail}.',
  'invalid-parameter': 'Please check your entries: {detail}.',
  'not-found': 'We could not find that.',
  'order-not-found': 'We could not find this order. Check the link, including its secret part.',
  unauthorized: 'This token was not accepted. Check it or ask for a new one.',
  forbidden: 'This token is not allowed to do that.',
  'admin-disabled': 'The bootstrap admin token is switched off on this server; use an API token.',
  'wrong-event': 'This ticket is for another event.',
  overloaded: 'The shop is very busy right now. Please try again in a moment.',
  'overloaded-basket': 'The shop is very busy right now and could not reserve your tickets, even after trying again for you. Please try again in a moment.',
  'overloaded-checkout': 'The shop is very busy right now and could not take your order, even after trying again for you. Nothing was charged and your tickets stay held: please try again in a moment.',
  'too-many-holds': 'You already hold {limit} baskets for this event (in this tab or others). Buy or empty one of them, or let one expire, then try again.',
  'too-many-holds-one': 'You already hold a basket for this event (in this tab or another). Buy or empty it, or let it expire, then try again.',
  'queue-required': 'Tickets for this event are sold through a waiting room: join it to get your turn.',
  'queue-token': 'Your turn from the waiting room has ended or was already used for a basket. Please join the waiting room again.',
  'queue-proof': 'The waiting room could not check this browser. Please try again.',
  'rate-limited': 'Too many attempts to join from your connection: we try again for you in {retry} seconds.',
  'service-unavailable': 'The service cannot answer right now. Please try again in a moment.',
  'payments-not-configured': 'This shop cannot take payments online at the moment, so these tickets cannot be bought here now. Nothing was charged. Please try again later.',
  'payment-provider-unavailable': 'The payment service cannot be reached right now. Nothing was charged and your tickets stay held: please try again in a moment.',
  timeout: 'The service took too long to answer. Please try again.',
  'not-ready': 'The service is starting or stopping. Please try again in a moment.',
  network: 'We could not reach the server. Check your connection and try again.',
  'payload-too-large': 'That is too much data to send at once.',
  unknown: 'Something went wrong (error {status}). Please try again.',
};

const de: Sentences = {
  'sold-out': 'Leider sind für diese Auswahl nicht mehr genug Tickets übrig.',
  'sold-out-left': 'Leider sind nicht mehr genug Tickets übrig: nur noch {available} verfügbar.',
  'not-on-sale': 'Für diese Veranstaltung werden gerade keine Tickets verkauft.',
  'basket-expired': 'Ihr Warenkorb ist abgelaufen, die Tickets wurden freigegeben.',
  gone: 'Das ist nicht mehr verfügbar.',
  'order-admitted': 'Diese Bestellung kann nicht storniert werden: Ein Ticket wurde bereits am Einlass verwendet.',
  'event-started': 'Diese Bestellung kann nicht storniert werden: Die Veranstaltung hat bereits begonnen.',
  conflict: 'Das ist im aktuellen Zustand nicht möglich: {detail}.',
  'already-paid': 'Dieser Warenkorb wurde bereits in einem anderen Bezahlvorgang bezahlt oder wird gerade bezahlt.',
  'validation-failed': 'Bitte prüfen Sie Ihre Eingaben: {detail}.',
  'invalid-parameter': 'Bitte prüfen Sie Ihre Eingaben: {detail}.',
  'not-found': 'Das haben wir nicht gefunden.',
  'order-not-found': 'Diese Bestellung wurde nicht gefunden. Prüfen Sie den Link samt geheimem Teil.',
  unauthorized: 'Dieser Token wurde nicht akzeptiert. Prüfen Sie ihn oder fordern Sie einen neuen an.',
  forbidden: 'Dieser Token darf das nicht.',
  'admin-disabled': 'Der Start-Admin-Token ist auf diesem Server abgeschaltet; nutzen Sie einen API-Token.',
  'wrong-event': 'Dieses Ticket gilt für eine andere Veranstaltung.',
  overloaded: 'Gerade ist sehr viel los. Bitte versuchen Sie es gleich noch einmal.',
  'overloaded-basket': 'Gerade ist sehr viel los: Ihre Tickets konnten nicht reserviert werden, auch nicht bei erneuten Versuchen. Bitte versuchen Sie es gleich noch einmal.',
  'overloaded-checkout': 'Gerade ist sehr viel los: Ihre Bestellung konnte nicht angenommen werden, auch nicht bei erneuten Versuchen. Es wurde nichts berechnet, und Ihre Tickets bleiben reserviert: Bitte versuchen Sie es gleich noch einmal.',
  'too-many-holds': 'Sie haben für diese Veranstaltung schon {limit} Warenkörbe (in diesem oder anderen Tabs). Kaufen oder leeren Sie einen davon oder lassen Sie einen ablaufen, dann versuchen Sie es erneut.',
  'too-many-holds-one': 'Sie haben für diese Veranstaltung schon einen Warenkorb (in diesem oder einem anderen Tab). Kaufen oder leeren Sie ihn oder lassen Sie ihn ablaufen, dann versuchen Sie es erneut.',
  'queue-required': 'Tickets für diese Veranstaltung gibt es über einen Warteraum: Reihen Sie sich ein, um an die Reihe zu kommen.',
  'queue-token': 'Ihre Zeit aus dem Warteraum ist abgelaufen oder wurde schon für einen Warenkorb genutzt. Bitte reihen Sie sich erneut ein.',
  'queue-proof': 'Der Warteraum konnte diesen Browser nicht prüfen. Bitte versuchen Sie es noch einmal.',
  'rate-limited': 'Zu viele Versuche von Ihrer Verbindung aus: Wir versuchen es in {retry} Sekunden erneut für Sie.',
  'service-unavailable': 'Der Dienst antwortet gerade nicht. Bitte versuchen Sie es gleich noch einmal.',
  'payments-not-configured': 'Dieser Shop kann gerade keine Online-Zahlungen annehmen, daher können diese Tickets hier im Moment nicht gekauft werden. Es wurde nichts berechnet. Bitte versuchen Sie es später noch einmal.',
  'payment-provider-unavailable': 'Der Zahlungsdienst ist gerade nicht erreichbar. Es wurde nichts berechnet, und Ihre Tickets bleiben reserviert: Bitte versuchen Sie es gleich noch einmal.',
  timeout: 'Der Dienst hat zu lange gebraucht. Bitte versuchen Sie es noch einmal.',
  'not-ready': 'Der Dienst startet oder stoppt gerade. Bitte versuchen Sie es gleich noch einmal.',
  network: 'Der Server ist nicht erreichbar. Prüfen Sie Ihre Verbindung und versuchen Sie es erneut.',
  'payload-too-large': 'Das sind zu viele Daten auf einmal.',
  unknown: 'Etwas ist schiefgegangen (Fehler {status}). Bitte versuchen Sie es noch einmal.',
};

export type ProblemContext = 'basket' | 'checkout' | 'order' | 'door' | 'admin' | 'catalogue' | 'queue';

/** The sentence for an error; `context` says where it happened. */
export function problemSentence(lang: Lang, error: unknown, context: ProblemContext): string {
  const s = lang === 'de' ? de : en;
  if (!(error instanceof ApiError)) return interpolate(s.unknown, { status: '?' });
  let key = error.type;
  if (key === 'gone' || key === 'basket-expired') key = context === 'basket' || context === 'checkout' ? 'basket-expired' : 'gone';
  if (key === 'sold-out' && typeof error.body.available === 'number') key = 'sold-out-left';
  if (key === 'not-found' && context === 'order') key = 'order-not-found';
  if (key === 'conflict' && context === 'checkout') key = 'already-paid';
  // Basket and checkout have been tried again before the buyer reads this (see retry.ts).
  if (key === 'overloaded' && (context === 'basket' || context === 'checkout')) key = `overloaded-${context}`;
  if (key === 'too-many-holds' && error.body.limit === 1) key = 'too-many-holds-one';
  if (key === 'forbidden' && error.field === 'X-Queue-Token') key = 'queue-token';
  else if (key === 'forbidden' && context === 'queue') key = 'queue-proof';
  if (error.status === 413) key = 'payload-too-large';
  const text = s[key] ?? s.unknown;
  // A field name helps where the server names one; the detail is the server's own English.
  const detail = error.detail || error.field || '';
  const retry = error.retryAfter ?? (typeof error.body.retry_after === 'number' ? error.body.retry_after : 6);
  return interpolate(text, {
    status: error.status,
    detail,
    available: String(error.body.available ?? ''),
    limit: String(error.body.limit ?? ''),
    retry,
  })
    .replace(/: \./, '.');
}
