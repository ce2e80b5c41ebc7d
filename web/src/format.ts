// Prices and times, formatted for the reader's language; times always in the event's zone.
import type { Lang } from './i18n';

const locales: Record<Lang, string> = { en: 'en-GB', de: 'de-DE' };

export function money(lang: Lang, minor: number, currency: string): string {
  const format = new Intl.NumberFormat(locales[lang], { style: 'currency', currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

export function dateTime(lang: Lang, iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locales[lang], {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(iso));
}

export function shortDateTime(lang: Lang, iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locales[lang], {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(new Date(iso));
}

export function time(lang: Lang, iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locales[lang], { timeStyle: 'medium', timeZone }).format(new Date(iso));
}

export function number(lang: Lang, n: number): string {
  return new Intl.NumberFormat(locales[lang]).format(n);
}

/** "Europe/London" → "Europe/London (GMT)": the zone's name and its abbreviation at that instant. */
export function zoneLabel(lang: Lang, iso: string, timeZone: string): string {
  const part = new Intl.DateTimeFormat(locales[lang], { timeZone, timeZoneName: 'short' })
    .formatToParts(new Date(iso))
    .find((p) => p.type === 'timeZoneName');
  return part ? `${timeZone} (${part.value})` : timeZone;
}

/** Minutes and seconds left, as m:ss. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

const units = [
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
] as const;

/** A length of time in its largest unit and the next: "2 min 5 sec", "1 hr 3 min", "45 sec". */
export function duration(lang: Lang, seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  const first = units.findIndex(([, size]) => rest >= size);
  const parts: string[] = [];
  for (const [unit, size] of units.slice(first < 0 ? 3 : first, (first < 0 ? 3 : first) + 2)) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length === 0) {
      parts.push(new Intl.NumberFormat(locales[lang], { style: 'unit', unit, unitDisplay: 'short' }).format(n));
    }
  }
  return parts.join(' ');
}
