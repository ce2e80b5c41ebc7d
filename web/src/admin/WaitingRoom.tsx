// An event's waiting room as its organiser runs it: on or off, the admission rate and the proof
// of work asked of each join, and its live figures (waiting, admitted, the longest wait) read
// every 3 seconds while shown.
import { useEffect, useState } from 'preact/hooks';
import { api, type QueueReport } from '../api/client';
import { problemSentence } from '../api/problems';
import { duration, number, time } from '../format';
import { useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { adminStrings } from './strings';
import { usePoll } from './usePoll';

type Notice = { kind: 'error' | 'ok'; text: string } | null;

const MAX_POW = 24;

export function WaitingRoom({ token, eventId }: { token: string; eventId: number }) {
  const { t, lang } = useT(adminStrings);
  const report = usePoll<QueueReport>(() => api.queueReport(token, eventId), 3000);
  // The form shows the settings as first read and as last saved, never a poll's, so that a
  // read while the organiser types changes nothing under their hands.
  const [settings, setSettings] = useState<QueueReport | null>(null);
  const [version, setVersion] = useState(0);
  const [notice, setNotice] = useState<Notice>(null);
  const [busy, setBusy] = useState(false);
  const r = report.value;
  useEffect(() => {
    if (r && !settings) setSettings(r);
  }, [r]);

  const save = async (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const rate = Number(data.get('admit_per_minute'));
    const pow = Number(data.get('pow_difficulty'));
    if (!Number.isInteger(rate) || rate < 0) return setNotice({ kind: 'error', text: t('queueBadRate') });
    if (!Number.isInteger(pow) || pow < 0 || pow > MAX_POW) return setNotice({ kind: 'error', text: t('queueBadPow') });
    const enabled = data.get('enabled') === 'on';
    setBusy(true);
    setNotice(null);
    try {
      const next = await api.configureQueue(token, eventId, { enabled, admit_per_minute: rate, pow_difficulty: pow });
      report.set(next);
      setSettings(next);
      setVersion((v) => v + 1);
      setNotice({ kind: 'ok', text: next.enabled ? t('queueSavedOn') : t('queueSavedOff') });
    } catch (error) {
      setNotice({ kind: 'error', text: problemSentence(lang, error, 'admin') });
    } finally {
      setBusy(false);
    }
  };

  const cells: [string, string][] = r
    ? [
        [t('waiting'), number(lang, r.waiting)],
        [t('admitted'), number(lang, r.admitted)],
        [t('oldestWait'), r.waiting > 0 ? duration(lang, r.oldest_wait_seconds) : '–'],
      ]
    : [];
  const on = r?.enabled ?? false;
  return (
    <section aria-labelledby="queue-title" class="figures queue-panel">
      <h2 id="queue-title">
        {t('queueTitle')}{' '}
        {r ? <span class={`badge ${on ? 'badge-on_sale' : ''}`}>{on ? t('queueOn') : t('queueOff')}</span> : null}
      </h2>
      <p class="hint">{t('queueIntro')}</p>
      {report.error ? <Alert>{problemSentence(lang, report.error, 'admin')}</Alert> : null}
      {settings ? (
        <form onSubmit={save} class="admin-form" key={version} noValidate>
          <div class="field-check">
            <input id="queue-enabled" name="enabled" type="checkbox" defaultChecked={settings.enabled} />
            <label for="queue-enabled">{t('queueEnabled')}</label>
          </div>
          <div class="field-row">
            <div class="field">
              <label for="queue-rate">{t('queueRate')}</label>
              <input
                id="queue-rate"
                name="admit_per_minute"
                type="number"
                min={0}
                step={1}
                defaultValue={String(settings.admit_per_minute)}
                aria-describedby="queue-rate-hint"
              />
              <p id="queue-rate-hint" class="hint">
                {t('queueRateHint')}
              </p>
            </div>
            <div class="field">
              <label for="queue-pow">{t('queuePow')}</label>
              <input
                id="queue-pow"
                name="pow_difficulty"
                type="number"
                min={0}
                max={MAX_POW}
                step={1}
                defaultValue={String(settings.pow_difficulty)}
                aria-describedby="queue-pow-hint"
              />
              <p id="queue-pow-hint" class="hint">
                {t('queuePowHint')}
              </p>
            </div>
          </div>
          {notice ? <Alert kind={notice.kind}>{notice.text}</Alert> : null}
          <button type="submit" class="button primary" disabled={busy}>
            {t('queueSave')}
          </button>
        </form>
      ) : null}
      {r ? (
        <dl class="stats queue-stats" data-testid="queue-stats">
          {cells.map(([label, value]) => (
            <div class="stat" key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {report.at ? <p class="hint">{t('updated', { time: time(lang, new Date(report.at).toISOString()) })}</p> : null}
    </section>
  );
}
