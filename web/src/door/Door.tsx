// The door: a steward signs in with a door token (kept in sessionStorage: gone with the tab),
// picks the event, and checks tickets in by camera or by typing the code. Each answer is shown
// large: admitted, or refused with the reason. Above it, the event's figures from the server
// (admitted of capacity, sold), read when the event is picked, after each admission and every
// 10 s while the page is visible.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, type DoorFigures, type EventSummary } from '../api/client';
import { number, shortDateTime } from '../format';
import { useT } from '../i18n';
import { Title } from '../ui/Title';
import { TokenSignIn } from '../ui/TokenSignIn';
import { createReader } from './scanner';
import { doorStrings } from './strings';

const TOKEN = 'tickets.door.token';
const EVENT = 'tickets.door.event';
const FIGURES_EVERY_MS = 10_000;

// What the server answered for one code. The sentence is made when shown, so that it follows
// a change of language made while it is on screen.
type Result = { code: string; ok: true } | { code: string; ok: false; error: unknown };
type Verdict = { kind: 'admitted' } | { kind: 'refused' | 'error'; reason: string };

function SignIn({ onToken }: { onToken: (token: string) => void }) {
  const { t } = useT(doorStrings);
  const text = { title: t('signInTitle'), label: t('tokenLabel'), hint: t('tokenHint'), button: t('signIn') };
  return <TokenSignIn id="door-token" text={text} big onToken={onToken} />;
}

function PickEvent({ onEvent, onSignOut }: { onEvent: (id: number) => void; onSignOut: () => void }) {
  const { t, lang } = useT(doorStrings);
  const [events, setEvents] = useState<EventSummary[]>([]);
  const [message, setMessage] = useState('');
  useEffect(() => {
    api.events({ limit: 100 }).then((page) => setEvents(page.events), () => {});
  }, []);
  const submit = (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const id = Number(form.get('event-id') || form.get('event') || 0);
    if (Number.isInteger(id) && id > 0) onEvent(id);
    else setMessage(t('needEvent'));
  };
  return (
    <>
      <Title text={t('eventTitle')} />
      <form onSubmit={submit} class="narrow">
        <div class="field">
          <label for="door-event">{t('eventLabel')}</label>
          <select id="door-event" name="event">
            <option value="">{t('eventNone')}</option>
            {events.map((event) => (
              <option value={event.id} key={event.id}>
                {event.name} · {shortDateTime(lang, event.starts_at, event.timezone)}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="door-event-id">{t('eventIdLabel')}</label>
          <input id="door-event-id" name="event-id" type="number" inputMode="numeric" min={1} />
        </div>
        {message ? (
          <p role="alert" class="alert alert-error">
            {message}
          </p>
        ) : null}
        <button type="submit" class="button primary big">
          {t('start')}
        </button>
      </form>
      <button type="button" class="button link" onClick={onSignOut}>
        {t('signOut')}
      </button>
    </>
  );
}

/**
 * The event's door figures: read now, again on refresh(), and every 10 s while the page is
 * visible (at once when it becomes visible again); nothing is polled while hidden or unmounted.
 * Only the newest request may answer; a failed read keeps the last figures.
 */
function useDoorFigures(token: string, eventId: number) {
  const [figures, setFigures] = useState<DoorFigures | null>(null);
  const refresh = useRef<() => void>(() => {});
  useEffect(() => {
    let request: AbortController | null = null;
    let timer = 0;
    const load = () => {
      request?.abort();
      const current = new AbortController();
      request = current;
      api.doorFigures(token, eventId, current.signal).then(
        (answer) => {
          if (!current.signal.aborted) setFigures(answer);
        },
        () => {},
      );
    };
    const poll = () => {
      clearInterval(timer);
      timer = document.visibilityState === 'visible' ? window.setInterval(load, FIGURES_EVERY_MS) : 0;
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') load();
      poll();
    };
    refresh.current = load;
    load();
    poll();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      clearInterval(timer);
      request?.abort();
      refresh.current = () => {};
    };
  }, [token, eventId]);
  return { figures, refresh: () => refresh.current() };
}

function Scanner(props: { token: string; eventId: number; onChangeEvent: () => void; onSignOut: () => void }) {
  const { t, lang } = useT(doorStrings);
  const [event, setEvent] = useState<EventSummary | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [admitted, setAdmitted] = useState(0);
  const [camera, setCamera] = useState<'off' | 'starting' | 'on' | 'failed'>('off');
  const video = useRef<HTMLVideoElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);
  // The last code read and when: a QR code held in view is read many times a second.
  const last = useRef<{ code: string; at: number } | null>(null);
  const busy = useRef(false);
  const { figures, refresh } = useDoorFigures(props.token, props.eventId);

  useEffect(() => {
    api.event(props.eventId).then(setEvent, () => setEvent(null));
  }, [props.eventId]);

  const check = async (code: string) => {
    if (busy.current) return;
    busy.current = true;
    last.current = { code, at: Date.now() };
    try {
      await api.checkIn(props.token, code, props.eventId);
      setAdmitted((n) => n + 1);
      refresh();
      setResult({ code, ok: true });
      navigator.vibrate?.(80);
    } catch (e) {
      setResult({ code, ok: false, error: e });
      navigator.vibrate?.([60, 60, 60]);
      if (e instanceof ApiError && e.status === 401) setTimeout(props.onSignOut, 1500);
    } finally {
      busy.current = false;
    }
  };

  const verdict = (r: Result): Verdict => {
    if (r.ok) return { kind: 'admitted' };
    const e = r.error;
    if (!(e instanceof ApiError) || e.status === 0 || e.status >= 500 || e.status === 429)
      return { kind: 'error', reason: t('offline') };
    const first = e.body.first_checked_in_at;
    if (typeof first === 'string')
      return { kind: 'refused', reason: t('duplicate', { time: shortDateTime(lang, first, event?.timezone) }) };
    if (e.type === 'wrong-event') return { kind: 'refused', reason: t('wrongEvent', { id: String(e.body.ticket_event_id ?? '?') }) };
    if (e.status === 410) return { kind: 'refused', reason: t('void') };
    if (e.status === 404 || e.status === 400) return { kind: 'refused', reason: t('unknown') };
    if (e.status === 403) return { kind: 'error', reason: t('forbidden') };
    if (e.status === 401) return { kind: 'error', reason: t('unauthorized') };
    return { kind: 'refused', reason: e.detail || t('unknown') };
  };

  // The camera loop: read a frame every 150 ms while the camera is on.
  useEffect(() => {
    if (camera !== 'on') return;
    let stopped = false;
    let timer = 0;
    createReader().then((read) => {
      const tick = async () => {
        if (stopped) return;
        const element = video.current;
        if (element && element.readyState >= 2 && !busy.current) {
          const code = (await read(element).catch(() => null))?.trim();
          const repeat = code && last.current?.code === code && Date.now() - last.current.at < 4000;
          if (code && !repeat) await check(code);
          else if (repeat) last.current = { code, at: Date.now() };
        }
        timer = window.setTimeout(tick, 150);
      };
      tick();
    });
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [camera]);

  const startCamera = async () => {
    setCamera('starting');
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: 'environment', width: { ideal: 1280 }, height: { ideal: 720 } },
        audio: false,
      });
      const element = video.current!;
      element.srcObject = stream;
      await element.play();
      setCamera('on');
    } catch {
      setCamera('failed');
    }
  };
  const stopCamera = () => {
    const stream = video.current?.srcObject as MediaStream | null;
    stream?.getTracks().forEach((track) => track.stop());
    if (video.current) video.current.srcObject = null;
    setCamera('off');
  };
  useEffect(() => stopCamera, []);

  const next = () => {
    last.current = null;
    setResult(null);
    codeInput.current?.focus();
  };

  const submitCode = (e: Event) => {
    e.preventDefault();
    const input = codeInput.current!;
    const code = input.value.trim();
    if (!code) return;
    input.value = '';
    check(code);
  };

  const shown = result ? verdict(result) : null;
  const title = t('scanTitle', { event: event ? event.name : `#${props.eventId}` });
  return (
    <div class="door">
      <Title text={title} />
      <div class="door-figures">
        <p class="door-count" aria-live="polite" aria-atomic="true">
          {figures
            ? t('admittedOf', { n: number(lang, figures.checked_in), capacity: number(lang, figures.capacity) })
            : t('admittedCount', { n: number(lang, admitted) })}
        </p>
        {figures ? (
          <p class="door-sold">
            {t('soldCount', { n: number(lang, figures.sold) })} · {t('sessionCount', { n: number(lang, admitted) })}
          </p>
        ) : null}
      </div>
      <div class={`door-result door-result-${shown?.kind ?? 'idle'}`} role="status" aria-live="assertive" aria-atomic="true">
        {result && shown ? (
          <>
            <p class="door-verdict">
              {shown.kind === 'admitted' ? `✓ ${t('admitted')}` : shown.kind === 'refused' ? `✕ ${t('refused')}` : `! ${t('notChecked')}`}
            </p>
            {shown.kind !== 'admitted' ? <p class="door-reason">{shown.reason}</p> : null}
            <p class="door-code">{t('ticket', { code: result.code })}</p>
          </>
        ) : (
          <p class="door-reason">{camera === 'on' ? t('cameraReady') : t('waiting')}</p>
        )}
      </div>
      {result ? (
        <button type="button" class="button primary big" onClick={next}>
          {t('next')}
        </button>
      ) : null}
      <div class="door-camera">
        <video ref={video} class={camera === 'on' ? 'door-video' : 'door-video hidden'} muted playsInline aria-label={t('cameraLabel')} />
        {camera === 'on' ? (
          <button type="button" class="button big" onClick={stopCamera}>
            {t('stopCamera')}
          </button>
        ) : (
          <button type="button" class="button primary big" onClick={startCamera} disabled={camera === 'starting'}>
            {t('camera')}
          </button>
        )}
        {camera === 'failed' ? (
          <p role="alert" class="alert alert-error">
            {t('cameraFailed')}
          </p>
        ) : null}
      </div>
      <form onSubmit={submitCode} class="door-manual">
        <label for="door-code">{t('codeLabel')}</label>
        <div class="door-manual-row">
          <input id="door-code" ref={codeInput} autoComplete="off" autoCapitalize="off" spellcheck={false} />
          <button type="submit" class="button primary">
            {t('check')}
          </button>
        </div>
      </form>
      <div class="actions">
        <button type="button" class="button link" onClick={props.onChangeEvent}>
          {t('changeEvent')}
        </button>
        <button type="button" class="button link" onClick={props.onSignOut}>
          {t('signOut')}
        </button>
      </div>
    </div>
  );
}

export default function Door() {
  const [token, setToken] = useState(() => sessionStorage.getItem(TOKEN));
  const [eventId, setEventId] = useState(() => Number(sessionStorage.getItem(EVENT)) || null);
  const signIn = (value: string) => {
    sessionStorage.setItem(TOKEN, value);
    setToken(value);
  };
  const signOut = () => {
    sessionStorage.removeItem(TOKEN);
    sessionStorage.removeItem(EVENT);
    setToken(null);
    setEventId(null);
  };
  const pick = (id: number | null) => {
    if (id) sessionStorage.setItem(EVENT, String(id));
    else sessionStorage.removeItem(EVENT);
    setEventId(id);
  };
  if (!token) return <SignIn onToken={signIn} />;
  if (!eventId) return <PickEvent onEvent={pick} onSignOut={signOut} />;
  return <Scanner token={token} eventId={eventId} onChangeEvent={() => pick(null)} onSignOut={signOut} key={eventId} />;
}
