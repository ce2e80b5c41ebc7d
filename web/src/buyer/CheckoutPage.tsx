// The basket and checkout: a live countdown to the hold's expiry, and the buyer's name and email.
// Each checkout attempt has one Idempotency-Key, kept with the basket, so that a retry after a
// lost answer (or a payment provider out of reach) returns the same order instead of failing or
// buying twice. A priced order is paid online: its code and secret are kept in this browser,
// then the buyer goes to the payment page, which sends them back to the order page.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../api/client';
import { problemSentence } from '../api/problems';
import { retryWhenShed } from '../api/retry';
import { countdown, money, time } from '../format';
import { useT } from '../i18n';
import { Link, navigate } from '../router';
import { Alert } from '../ui/Alert';
import { Title } from '../ui/Title';
import { ItemLines } from './ItemLines';
import { clearBasket, loadBasket, loadPaying, newIdempotencyKey, saveBasket, savePaying, saveSecret } from './storage';
import { buyerStrings } from './strings';

function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Worth retrying with the same key: the answer may have been lost or the server was busy. */
const transient = (e: unknown) => !(e instanceof ApiError) || e.status === 0 || e.status === 429 || e.status >= 500;

export function CheckoutPage({ eventId }: { eventId: number }) {
  const { t, lang } = useT(buyerStrings);
  const [held, setHeld] = useState(() => {
    const stored = loadBasket();
    return stored && stored.eventId === eventId ? stored : null;
  });
  const [expired, setExpired] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [retrying, setRetrying] = useState(false);
  const [toPayment, setToPayment] = useState(false);
  const now = useNow();

  // Back from the payment page with the page restored as it was left: the basket is an order now.
  useEffect(() => {
    const restored = (e: PageTransitionEvent) => {
      if (!e.persisted) return;
      setToPayment(false);
      setBusy(false);
      const stored = loadBasket();
      setHeld(stored && stored.eventId === eventId ? stored : null);
    };
    window.addEventListener('pageshow', restored);
    return () => window.removeEventListener('pageshow', restored);
  }, []);

  // The server is the judge of a basket's life: ask it once on arrival.
  useEffect(() => {
    if (!held) return;
    api.basket(held.basket.id).catch((e) => {
      if (e instanceof ApiError && (e.status === 410 || e.status === 404)) setExpired(true);
    });
  }, []);

  const left = held ? Date.parse(held.basket.expires_at) - now : 0;
  useEffect(() => {
    if (held && left <= 0) setExpired(true);
  }, [held, left <= 0]);
  useEffect(() => {
    if (expired) clearBasket();
  }, [expired]);

  const startAgain = () => {
    clearBasket();
    navigate(`/events/${eventId}`);
  };

  if (expired) {
    return (
      <>
        <Title text={t('expiredTitle')} />
        <Alert>{t('expiredText')}</Alert>
        <button type="button" class="button primary" onClick={startAgain}>
          {t('startAgain')}
        </button>
      </>
    );
  }
  if (!held) {
    const paying = loadPaying();
    return (
      <>
        <Title text={t('basketTitle')} />
        {paying && paying.eventId === eventId ? (
          <p>
            {t('payingOrder', { code: paying.code })} <Link href={`/orders/${encodeURIComponent(paying.code)}`}>{t('toOrder')}</Link>
          </p>
        ) : null}
        <p>{t('noBasket')}</p>
        <Link href={`/events/${eventId}`} class="button primary">
          {t('startAgain')}
        </Link>
      </>
    );
  }

  const { basket } = held;
  const release = async () => {
    await api.deleteBasket(basket.id).catch(() => {});
    startAgain();
  };

  const checkout = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const name = String(form.get('name') ?? '').trim();
    const email = String(form.get('email') ?? '').trim();
    if (!name) return setMessage(t('needName'));
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return setMessage(t('needEmail'));
    const attempt = { ...held, idempotencyKey: held.idempotencyKey ?? newIdempotencyKey() };
    saveBasket(attempt);
    setHeld(attempt);
    setBusy(true);
    setMessage(null);
    try {
      // Shed (429 overloaded): tried again with the same key before the buyer is told.
      const { order } = await retryWhenShed(
        () => api.checkout(basket.id, name, email, attempt.idempotencyKey),
        () => setRetrying(true),
      );
      // Kept before anything else: the way back from the payment page carries no secret.
      if (order.secret) saveSecret(order.code, order.secret);
      clearBasket();
      if (order.status === 'pending_payment' && order.payment_url) {
        savePaying({ eventId, code: order.code });
        setToPayment(true);
        window.location.assign(order.payment_url);
        return;
      }
      // The secret travels in the fragment: browsers never send it to a server.
      navigate(`/orders/${encodeURIComponent(order.code)}#secret=${encodeURIComponent(order.secret ?? '')}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 410) return setExpired(true);
      if (!transient(error)) {
        // A refused attempt is over: a new body needs a new key.
        const next = { ...attempt, idempotencyKey: undefined };
        saveBasket(next);
        setHeld(next);
      }
      setMessage(problemSentence(lang, error, 'checkout'));
    } finally {
      setBusy(false);
      setRetrying(false);
    }
  };

  return (
    <>
      <Title text={t('basketTitle')} />
      <div class="countdown" role="timer" aria-live="off">
        <span>{t('heldFor')}</span> <strong class="countdown-value">{countdown(left)}</strong>
        <span class="hint"> ({t('heldUntil', { time: time(lang, basket.expires_at) })})</span>
      </div>
      <ItemLines
        items={basket.items}
        total={basket.total}
        currency={basket.currency}
        lang={lang}
        quantityText={(item) => t('quantity', { n: item.quantity, name: item.name })}
        totalText={t('total')}
      />
      <button type="button" class="button link" onClick={release}>
        {t('release')}
      </button>
      <h2>{t('checkoutTitle')}</h2>
      <form class="checkout" onSubmit={checkout} noValidate>
        <div class="field">
          <label for="name">{t('name')}</label>
          <input id="name" name="name" autoComplete="name" required />
        </div>
        <div class="field">
          <label for="email">{t('email')}</label>
          <input id="email" name="email" type="email" autoComplete="email" required />
        </div>
        {message ? <Alert>{message}</Alert> : null}
        {toPayment ? <Alert kind="info">{t('toPayment')}</Alert> : null}
        <button type="submit" class="button primary" disabled={busy || toPayment}>
          {retrying ? t('busyRetrying') : busy ? t('buying') : t('buy', { total: money(lang, basket.total, basket.currency) })}
        </button>
      </form>
    </>
  );
}
