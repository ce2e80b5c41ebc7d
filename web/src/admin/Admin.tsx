// The organisers' console: sign in with an admin token, then events (list, create, manage,
// live figures) and API tokens. Routes: /admin, /admin/events/new, /admin/events/{id}, /admin/tokens.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, api, type EventSummary } from '../api/client';
import { problemSentence } from '../api/problems';
import { shortDateTime } from '../format';
import { useT } from '../i18n';
import { Link, usePlace } from '../router';
import { Alert } from '../ui/Alert';
import { Title } from '../ui/Title';
import { TokenSignIn } from '../ui/TokenSignIn';
import { EditEvent, NewEvent } from './EventEditor';
import { adminToken } from './session';
import { adminStrings, type AdminKey } from './strings';
import { Tokens } from './Tokens';

function SignIn({ onToken }: { onToken: (token: string) => void }) {
  const { t } = useT(adminStrings);
  const text = { title: t('signInTitle'), label: t('tokenLabel'), hint: t('tokenHint'), button: t('signIn') };
  return <TokenSignIn id="admin-token" text={text} onToken={onToken} />;
}

function EventsList({ token, onRefused }: { token: string; onRefused: () => void }) {
  const { t, lang } = useT(adminStrings);
  const [events, setEvents] = useState<EventSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    // Every event, drafts included.
    api.adminEvents(token, { limit: 100 }).then(
      (page) => setEvents(page.events),
      (e) => {
        if (e instanceof ApiError && e.status === 401) onRefused();
        else setError(e);
      },
    );
  }, []);
  return (
    <>
      <Title text={t('title')} />
      <p>
        <Link href="/admin/events/new" class="button primary">
          {t('newEvent')}
        </Link>
      </p>
      {error ? <Alert>{problemSentence(lang, error, 'admin')}</Alert> : null}
      {events && events.length === 0 ? <p>{t('eventsEmpty')}</p> : null}
      <ul class="admin-events">
        {(events ?? []).map((event) => (
          <li key={event.id}>
            <Link href={`/admin/events/${event.id}`}>{event.name}</Link>
            <span class="hint">
              {' '}
              · #{event.id} · {shortDateTime(lang, event.starts_at, event.timezone)} · {t(`status_${event.status}` as AdminKey)}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

export default function Admin() {
  const { t } = useT(adminStrings);
  const { path, search } = usePlace();
  const [token, setToken] = useState(adminToken.get);
  const signIn = (value: string) => {
    adminToken.set(value);
    setToken(value);
  };
  const signOut = () => {
    adminToken.clear();
    setToken(null);
  };
  if (!token) return <SignIn onToken={signIn} />;

  let page;
  let m: RegExpMatchArray | null;
  if (path.startsWith('/admin/tokens')) page = <Tokens token={token} />;
  else if (path.startsWith('/admin/events/new')) page = <NewEvent token={token} />;
  else if ((m = path.match(/^\/admin\/events\/(\d+)/)))
    page = <EditEvent token={token} id={Number(m[1])} created={search.has('created')} key={m[1]} />;
  else page = <EventsList token={token} onRefused={signOut} />;

  return (
    <div class="admin">
      <nav class="admin-nav" aria-label={t('title')}>
        <Link href="/admin" aria-current={path === '/admin' || path.startsWith('/admin/events') ? 'page' : undefined}>
          {t('tabEvents')}
        </Link>
        <Link href="/admin/tokens" aria-current={path.startsWith('/admin/tokens') ? 'page' : undefined}>
          {t('tabTokens')}
        </Link>
        <button type="button" class="button link" onClick={signOut}>
          {t('signOut')}
        </button>
      </nav>
      {page}
    </div>
  );
}

