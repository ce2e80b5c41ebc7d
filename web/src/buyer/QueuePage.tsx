// An event's waiting room: joins it (with the proof of work the queue asks, found by a worker),
// keeps the place in this tab (a reload keeps it), reads it again every 2 to 5 seconds, and
// sends the buyer back to the event page once admitted, where the basket is made with it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type EventDetail, type QueueTicket } from '../api/client';
import { problemSentence } from '../api/problems';
import { number } from '../format';
import { useT, type Vars } from '../i18n';
import { Link, navigate } from '../router';
import { Alert } from '../ui/Alert';
import { Title } from '../ui/Title';
import { solveProof } from './proof';
import { forgetPlace, loadPlace, savePlace, type QueuePlace } from './storage';
import { buyerStrings, type BuyerKey } from './strings';

type Phase =
  | { kind: 'joining' }
  | { kind: 'proving'; tried: number }
  | { kind: 'waiting'; place: QueuePlace; trouble: boolean }
  | { kind: 'ended' }
  | { kind: 'none' }
  | { kind: 'failed'; error: unknown };

const FAST_MS = 2000;
const SLOW_MS = 5000;
const TROUBLE_MAX_MS = 30000;

/** The estimated wait in plain words; null while admission is paused. */
function waitWords(t: (key: BuyerKey, vars?: Vars) => string, seconds: number | null, n: (x: number) => string): string {
  if (seconds === null) return t('queuePaused');
  if (seconds < 60) return t('queueWaitUnder');
  const minutes = Math.round(seconds / 60);
  if (minutes <= 1) return t('queueWaitMinute');
  if (minutes < 90) return t('queueWaitMinutes', { n: n(minutes) });
  return t('queueWaitHours', { n: n(Math.round(minutes / 60)) });
}

const busy = (e: unknown) => e instanceof ApiError && e.status === 429;

export function QueuePage({ eventId }: { eventId: number }) {
  const { t, lang } = useT(buyerStrings);
  const [event, setEvent] = useState<EventDetail | null>(null);
  const [phase, setPhase] = useState<Phase>(() => {
    const place = loadPlace(eventId);
    return place ? { kind: 'waiting', place, trouble: false } : { kind: 'joining' };
  });
  const [attempt, setAttempt] = useState(0);
  const last = useRef<QueuePlace | null>(loadPlace(eventId));

  useEffect(() => {
    api.event(eventId).then(setEvent, () => {});
  }, []);

  const keep = (ticket: QueueTicket): QueuePlace => {
    const place = { ticket, firstPosition: Math.max(last.current?.firstPosition ?? 0, ticket.position) };
    last.current = place;
    savePlace(place);
    return place;
  };
  const end = () => {
    forgetPlace(eventId);
    last.current = null;
    setPhase({ kind: 'ended' });
  };
  const rejoin = () => {
    setPhase({ kind: 'joining' });
    setAttempt((a) => a + 1);
  };
  const joinAgain = () => {
    forgetPlace(eventId);
    last.current = null;
    rejoin();
  };

  // Joining, unless this tab holds a place already.
  useEffect(() => {
    if (phase.kind !== 'joining') return;
    const stop = new AbortController();
    let retry = 0;
    (async () => {
      for (let tries = 0; ; tries++) {
        const queue = await api.queueChallenge(eventId);
        if (!queue.enabled) return setPhase({ kind: 'none' });
        let proof: { challenge: string; nonce: string } | undefined;
        if (queue.pow_difficulty > 0 && queue.challenge) {
          setPhase({ kind: 'proving', tried: 0 });
          const request = { challenge: queue.challenge, difficulty: queue.pow_difficulty };
          const nonce = await solveProof(request, (tried) => setPhase({ kind: 'proving', tried }), stop.signal);
          proof = { challenge: queue.challenge, nonce };
        }
        if (stop.signal.aborted) return;
        try {
          const ticket = await api.joinQueue(eventId, proof);
          if (!stop.signal.aborted) setPhase({ kind: 'waiting', place: keep(ticket), trouble: false });
          return;
        } catch (error) {
          // A challenge used or stale by now: once more with a fresh one.
          if (tries === 0 && error instanceof ApiError && error.status === 403) continue;
          throw error;
        }
      }
    })().catch((error) => {
      if (stop.signal.aborted) return;
      if (error instanceof ApiError && error.status === 409) return setPhase({ kind: 'none' });
      setPhase({ kind: 'failed', error });
      // Too many joins from this connection, or a shed join: again when the server says.
      if (busy(error)) {
        const seconds = Math.min(60, Math.max(1, (error as ApiError).retryAfter ?? 6));
        retry = window.setTimeout(rejoin, seconds * 1000);
      }
    });
    return () => {
      stop.abort();
      clearTimeout(retry);
    };
  }, [attempt]);

  // Reading the place again: every 2 s while it moves or the turn is near, backing off to 5 s
  // while it stands, longer after failures (at least the server's Retry-After); at once when
  // the tab shows again.
  const token = phase.kind === 'waiting' ? phase.place.ticket.token : null;
  useEffect(() => {
    if (!token) return;
    const stop = new AbortController();
    let timer = 0;
    let delay = FAST_MS;
    let reading = false;
    let pausedReads = 0;
    const read = async () => {
      if (reading) return;
      reading = true;
      clearTimeout(timer);
      try {
        const before = last.current?.ticket;
        const ticket = await api.queueTicket(token, stop.signal);
        if (ticket.status === 'admitted') {
          keep(ticket);
          return navigate(`/events/${eventId}`, true);
        }
        if (ticket.status === 'expired') return end();
        // A paused queue and one turned off look alike from a place in it: now and then, ask
        // the event; without a queue the buyer reserves directly.
        if (ticket.estimated_wait_seconds === null && ++pausedReads % 3 === 0) {
          const queue = await api.queueChallenge(eventId).catch(() => null);
          if (queue && !queue.enabled) {
            forgetPlace(eventId);
            return navigate(`/events/${eventId}`, true);
          }
        }
        const moved = ticket.position !== before?.position;
        const near = ticket.estimated_wait_seconds !== null && ticket.estimated_wait_seconds <= 10;
        delay = moved || near ? FAST_MS : Math.min(SLOW_MS, delay + 1000);
        setPhase({ kind: 'waiting', place: keep(ticket), trouble: false });
      } catch (error) {
        if (stop.signal.aborted) return;
        // Not a token this shop knows (any more): the place is gone.
        if (error instanceof ApiError && error.status === 404) return end();
        const asked = error instanceof ApiError && error.retryAfter !== undefined ? error.retryAfter * 1000 : 0;
        delay = Math.max(asked, Math.min(TROUBLE_MAX_MS, delay * 2));
        setPhase((p) => (p.kind === 'waiting' ? { ...p, trouble: true } : p));
      } finally {
        reading = false;
      }
      if (!stop.signal.aborted) timer = window.setTimeout(read, delay);
    };
    const onShow = () => {
      if (document.visibilityState === 'visible') read();
    };
    read();
    document.addEventListener('visibilitychange', onShow);
    return () => {
      stop.abort();
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onShow);
    };
  }, [token]);

  const n = (x: number) => number(lang, x);
  let headline = '';
  let detail = '';
  let progress: { value?: number; max?: number } = {};
  if (phase.kind === 'joining' || phase.kind === 'failed') headline = t('queueJoining');
  else if (phase.kind === 'proving') {
    headline = t('queueProving');
    if (phase.tried > 0) detail = t('queueChecks', { n: n(phase.tried) });
  } else if (phase.kind === 'waiting') {
    const { ticket, firstPosition } = phase.place;
    headline = ticket.position <= 1 ? t('queueNext') : t('queuePosition', { n: n(ticket.position) });
    detail = waitWords(t, ticket.estimated_wait_seconds, n);
    progress = { value: firstPosition - ticket.position, max: firstPosition };
  } else if (phase.kind === 'ended') headline = t('queueEndedText');
  else headline = t('queueNoneText');

  const title = phase.kind === 'ended' ? t('queueEnded') : phase.kind === 'none' ? t('queueNoneTitle') : t('queueTitle');
  const settled = phase.kind === 'ended' || phase.kind === 'none';
  return (
    <>
      <p class="back">
        <Link href={`/events/${eventId}`}>{t('queueToEvent')}</Link>
      </p>
      <Title text={title} />
      <p class="queue-event">{event ? event.name : '\u00a0'}</p>
      {settled ? null : <p>{t('queueIntro')}</p>}
      <section class={`queue-box${settled ? ' queue-box-settled' : ''}`} aria-label={t('queueTitle')}>
        {/* One live region, there from the start: the place and the wait are read out when they
            change, and so is the end of the turn. */}
        <div role="status" aria-atomic="true">
          <p class="queue-headline">{headline}</p>
          {phase.kind === 'waiting' ? <p class="queue-detail">{detail}</p> : null}
        </div>
        {settled ? null : (
          <>
            {phase.kind !== 'waiting' ? (
              <p class="queue-detail" aria-hidden={phase.kind === 'proving' ? 'true' : undefined}>
                {detail || '\u00a0'}
              </p>
            ) : null}
            <progress class="queue-progress" aria-label={t('queueProgress')} {...progress} />
            <p class="hint queue-trouble">{phase.kind === 'waiting' && phase.trouble ? t('queueTrouble') : '\u00a0'}</p>
          </>
        )}
      </section>
      {phase.kind === 'failed' ? (
        <>
          <Alert>{problemSentence(lang, phase.error, 'queue')}</Alert>
          {busy(phase.error) ? null : (
            <button type="button" class="button primary" onClick={joinAgain}>
              {t('queueTryAgain')}
            </button>
          )}
        </>
      ) : null}
      {phase.kind === 'ended' ? (
        <button type="button" class="button primary" onClick={joinAgain}>
          {t('queueJoinAgain')}
        </button>
      ) : null}
      {phase.kind === 'none' ? (
        <Link href={`/events/${eventId}`} class="button primary">
          {t('queueToEvent')}
        </Link>
      ) : null}
      {settled ? null : <p class="hint">{t('queueThen')}</p>}
    </>
  );
}
