// An event's sales and check-in figures, polled every few seconds while shown, and the
// chart of paid sales per hour, read again whenever the number of tickets sold changes.
import { useEffect, useState } from 'preact/hooks';
import { api, type Sales, type Stats } from '../api/client';
import { problemSentence } from '../api/problems';
import { money, number, shortDateTime, time } from '../format';
import { useT } from '../i18n';
import { Alert } from '../ui/Alert';
import { SalesChart } from './SalesChart';
import { adminStrings } from './strings';
import { usePoll } from './usePoll';

export function LiveFigures({ token, eventId }: { token: string; eventId: number }) {
  const { t, lang } = useT(adminStrings);
  const stats = usePoll<Stats>(() => api.stats(token, eventId), 2000);
  const s = stats.value;
  const [chart, setChart] = useState<Sales | null>(null);
  const [chartError, setChartError] = useState<unknown>(null);
  const sold = s?.sold;
  useEffect(() => {
    if (sold === undefined) return;
    let live = true;
    api.sales(token, eventId, 'hour').then(
      (value) => {
        if (!live) return;
        setChart(value);
        setChartError(null);
      },
      (error) => {
        if (live) setChartError(error);
      },
    );
    return () => {
      live = false;
    };
  }, [sold]);
  const cells: [string, string][] = s
    ? [
        [t('sold'), number(lang, s.sold)],
        [t('held'), number(lang, s.held)],
        [t('available'), number(lang, s.available)],
        [t('capacity'), number(lang, s.capacity)],
        [t('checkedIn'), number(lang, s.checked_in)],
        [t('revenue'), money(lang, s.revenue, s.currency)],
      ]
    : [];
  let chartPart = null;
  if (chartError) chartPart = <Alert>{problemSentence(lang, chartError, 'admin')}</Alert>;
  else if (chart && chart.points.length === 0) chartPart = <p class="hint">{t('chartEmpty')}</p>;
  else if (chart) {
    const tickets = chart.points.reduce((a, p) => a + p.tickets, 0);
    const orders = chart.points.reduce((a, p) => a + p.orders, 0);
    const summary = t('chartSummary', {
      tickets: number(lang, tickets),
      orders: number(lang, orders),
      from: shortDateTime(lang, chart.points[0].at),
      to: shortDateTime(lang, chart.points[chart.points.length - 1].at),
    });
    chartPart = <SalesChart sales={chart} lang={lang} summary={summary} />;
  }
  return (
    <section aria-labelledby="figures-title" class="figures">
      <h2 id="figures-title">{t('figures')}</h2>
      {stats.error ? <Alert>{problemSentence(lang, stats.error, 'admin')}</Alert> : null}
      {s ? (
        <dl class="stats" data-testid="stats">
          {cells.map(([label, value]) => (
            <div class="stat" key={label}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {stats.at ? <p class="hint">{t('updated', { time: time(lang, new Date(stats.at).toISOString()) })}</p> : null}
      <h3>{t('chartTitle')}</h3>
      {chartPart}
    </section>
  );
}
