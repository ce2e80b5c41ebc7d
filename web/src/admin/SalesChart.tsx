// Sales over time as an inline SVG bar chart (no chart library): one bar per bucket, the
// tallest bar full height. The figures are also given as text for screen readers.
import type { Sales } from '../api/client';
import { number, shortDateTime } from '../format';
import type { Lang } from '../i18n';

const WIDTH = 600;
const HEIGHT = 180;
const AXIS = 20;

export function SalesChart({ sales, lang, summary }: { sales: Sales; lang: Lang; summary: string }) {
  const points = sales.points;
  const top = Math.max(1, ...points.map((p) => p.tickets));
  const slot = WIDTH / Math.max(points.length, 1);
  const bar = Math.max(2, slot * 0.8);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + AXIS}`} role="img" aria-label={summary} preserveAspectRatio="none">
        <line x1={0} y1={HEIGHT} x2={WIDTH} y2={HEIGHT} class="chart-axis" />
        {points.map((p, i) => {
          const h = (p.tickets / top) * (HEIGHT - 10);
          return (
            <rect x={i * slot + (slot - bar) / 2} y={HEIGHT - h} width={bar} height={h} class="chart-bar" key={p.at}>
              <title>{`${shortDateTime(lang, p.at)}: ${number(lang, p.tickets)}`}</title>
            </rect>
          );
        })}
        <text x={0} y={HEIGHT + 15} class="chart-label">
          {points.length ? shortDateTime(lang, points[0].at) : ''}
        </text>
        <text x={WIDTH} y={HEIGHT + 15} class="chart-label" text-anchor="end">
          {points.length > 1 ? shortDateTime(lang, points[points.length - 1].at) : ''}
        </text>
        <text x={4} y={12} class="chart-label">
          {number(lang, top)}
        </text>
      </svg>
      <figcaption class="hint">{summary}</figcaption>
    </figure>
  );
}
