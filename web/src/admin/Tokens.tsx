// Scoped API tokens: create one (its secret is shown this once), list them, revoke one.
import { useEffect, useState } from 'preact/hooks';
import { api, type ApiToken, type TokenRole } from '../api/client';
import { problemSentence } from '../api/problems';
import { shortDateTime } from '../format';
import { useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { Title } from '../ui/Title';
import { adminStrings, type AdminKey } from './strings';

export function Tokens({ token }: { token: string }) {
  const { t, lang } = useT(adminStrings);
  const [tokens, setTokens] = useState<ApiToken[] | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [role, setRole] = useState<TokenRole>('door');

  const reload = () => api.tokens(token).then((r) => setTokens(r.tokens), (e) => setMessage(problemSentence(lang, e, 'admin')));
  useEffect(() => {
    reload();
  }, []);

  const create = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const name = String(data.get('name') ?? '').trim();
    const ids = String(data.get('event_ids') ?? '')
      .split(/[\s,;]+/)
      .filter(Boolean)
      .map(Number);
    if (!name) return setMessage(t('needName'));
    if (role === 'door' && (ids.length === 0 || ids.some((n) => !Number.isInteger(n) || n < 1))) return setMessage(t('needEvents'));
    setMessage(null);
    setCopied(false);
    try {
      const made = await api.createToken(token, name, role, ids);
      setSecret(made.token ?? null);
      form.reset();
      setRole('door');
      reload();
    } catch (error) {
      setMessage(problemSentence(lang, error, 'admin'));
    }
  };

  const revoke = async (id: number) => {
    try {
      await api.revokeToken(token, id);
      reload();
    } catch (error) {
      setMessage(problemSentence(lang, error, 'admin'));
    }
  };

  const copy = async () => {
    if (!secret) return;
    await navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => {});
  };

  return (
    <>
      <Title text={t('tokensTitle')} />
      <form onSubmit={create} class="admin-form" noValidate>
        <div class="field">
          <label for="token-name">{t('tokenName')}</label>
          <input id="token-name" name="name" required />
        </div>
        <div class="field">
          <label for="token-role">{t('role')}</label>
          <select id="token-role" name="role" value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value as TokenRole)}>
            <option value="door">{t('role_door')}</option>
            <option value="reports">{t('role_reports')}</option>
            <option value="admin">{t('role_admin')}</option>
          </select>
        </div>
        {role === 'door' ? (
          <div class="field">
            <label for="token-events">{t('eventIds')}</label>
            <input id="token-events" name="event_ids" inputMode="numeric" />
          </div>
        ) : null}
        {message ? <Alert>{message}</Alert> : null}
        <button type="submit" class="button primary">
          {t('createToken')}
        </button>
      </form>
      {secret ? (
        <div class="secret" role="status">
          <p>{t('secretOnce')}</p>
          <code class="code" data-testid="token-secret">
            {secret}
          </code>
          <button type="button" class="button" onClick={copy}>
            {copied ? t('copied') : t('copy')}
          </button>
        </div>
      ) : null}
      {tokens && tokens.length === 0 ? <p>{t('tokensEmpty')}</p> : null}
      <ul class="token-list">
        {(tokens ?? []).map((item) => (
          <li key={item.id} class={item.revoked_at ? 'token revoked' : 'token'}>
            <strong>{item.name}</strong> · {t(`role_${item.role}` as AdminKey)}
            <span class="hint">
              {' '}
              · {t('hint', { hint: item.hint })} · {t('createdAt', { time: shortDateTime(lang, item.created_at) })}
              {item.event_ids.length ? ` · ${t('events', { ids: item.event_ids.join(', ') })}` : ''}
              {item.revoked_at ? ` · ${t('revoked', { time: shortDateTime(lang, item.revoked_at) })}` : ''}
            </span>
            {item.revoked_at ? null : (
              <button type="button" class="button danger small" onClick={() => revoke(item.id)} aria-label={`${t('revoke')}: ${item.name}`}>
                {t('revoke')}
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
