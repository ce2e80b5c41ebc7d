// The frame (header, language switch) and the routes. Door and admin are separate chunks,
// loaded only when someone opens them: the shop's buyers never download them.
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LangContext, initialLang, languages, useT, type Lang } from './i18n';
import { Link, usePlace } from './router';
import { buyerStrings } from './buyer/strings';
import { EventList } from './buyer/EventList';
import { EventPage } from './buyer/EventPage';
import { CheckoutPage } from './buyer/CheckoutPage';
import { OrderPage } from './buyer/OrderPage';
import { QueuePage } from './buyer/QueuePage';
import { Title } from './ui/Title';

type Module = { default: ComponentType };
const loadDoor = () => import('./door/Door');
const loadAdmin = () => import('./admin/Admin');

function Lazy({ load }: { load: () => Promise<Module> }) {
  const [Page, setPage] = useState<ComponentType | null>(null);
  const { t } = useT(buyerStrings);
  useEffect(() => {
    let live = true;
    load().then((m) => live && setPage(() => m.default));
    return () => {
      live = false;
    };
  }, [load]);
  return Page ? <Page /> : <p class="loading">{t('loading')}</p>;
}

function Routes() {
  const { path } = usePlace();
  const { t } = useT(buyerStrings);
  let m: RegExpMatchArray | null;
  if (path === '/') return <EventList />;
  if ((m = path.match(/^\/events\/(\d+)\/?$/))) return <EventPage id={Number(m[1])} key={m[1]} />;
  if ((m = path.match(/^\/events\/(\d+)\/checkout\/?$/))) return <CheckoutPage eventId={Number(m[1])} key={m[1]} />;
  if ((m = path.match(/^\/events\/(\d+)\/queue\/?$/))) return <QueuePage eventId={Number(m[1])} key={m[1]} />;
  if ((m = path.match(/^\/orders\/([^/]+)\/?$/))) return <OrderPage code={decodeURIComponent(m[1])} key={m[1]} />;
  if (path === '/door' || path.startsWith('/door/')) return <Lazy load={loadDoor} />;
  if (path === '/admin' || path.startsWith('/admin/')) return <Lazy load={loadAdmin} />;
  return (
    <>
      <Title text={t('notFound')} />
      <p>{t('notFoundText')}</p>
      <p>
        <Link href="/">{t('backToEvents')}</Link>
      </p>
    </>
  );
}

function Header() {
  const { t, lang, setLang } = useT(buyerStrings);
  const { path } = usePlace();
  return (
    <header class="site-header">
      <a class="skip" href="#main">
        {t('skip')}
      </a>
      <Link href="/" class="brand">
        {t('brand')}
      </Link>
      <nav aria-label={t('brand')}>
        <Link href="/" aria-current={path === '/' ? 'page' : undefined}>
          {t('navEvents')}
        </Link>
      </nav>
      <div class="lang" role="group" aria-label={t('language')}>
        {languages.map((l) => (
          <button
            type="button"
            class="lang-button"
            aria-pressed={l === lang}
            lang={l}
            onClick={() => setLang(l)}
            key={l}
          >
            {l === 'en' ? 'English' : 'Deutsch'}
          </button>
        ))}
      </div>
    </header>
  );
}

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const setLang = (l: Lang) => {
    localStorage.setItem('tickets.lang', l);
    setLangState(l);
  };
  return (
    <LangContext.Provider value={{ lang, setLang }}>
      <Header />
      <main id="main" tabIndex={-1}>
        <Routes />
      </main>
    </LangContext.Provider>
  );
}
