// Languages: English and German. Each part of the app (buyer, door, admin) has its own
// dictionaries so that the lazily loaded parts bring their words with them.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

export type Lang = 'en' | 'de';
export const languages: Lang[] = ['en', 'de'];
export type Vars = Record<string, string | number>;

export const LangContext = createContext<{ lang: Lang; setLang: (lang: Lang) => void }>({
  lang: 'en',
  setLang: () => {},
});

export function initialLang(): Lang {
  const saved = localStorage.getItem('tickets.lang');
  if (saved === 'en' || saved === 'de') return saved;
  return navigator.language.toLowerCase().startsWith('de') ? 'de' : 'en';
}

export function interpolate(text: string, vars?: Vars): string {
  return vars ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`)) : text;
}

/** A translator over one part's dictionaries; German falls back to English for a missing word. */
export function useT<K extends string>(dicts: { en: Record<K, string>; de: Partial<Record<K, string>> }) {
  const { lang, setLang } = useContext(LangContext);
  const t = (key: K, vars?: Vars) => interpolate(dicts[lang][key] ?? dicts.en[key], vars);
  return { lang, setLang, t };
}
