// Reading something every few seconds while the page shows it (four times slower while the tab
// is hidden), keeping the last value when a read fails.
import { useEffect, useState } from 'preact/hooks';

export interface Polled<T> {
  value: T | null;
  error: unknown;
  /** When the value was last read (ms), 0 before the first. */
  at: number;
  /** Takes a value read another way (the answer of a change, say) as the latest. */
  set: (value: T) => void;
}

export function usePoll<T>(load: () => Promise<T>, everyMs: number): Polled<T> {
  const [state, setState] = useState<{ value: T | null; error: unknown; at: number }>({ value: null, error: null, at: 0 });
  useEffect(() => {
    let live = true;
    let timer = 0;
    const run = async () => {
      try {
        const value = await load();
        if (live) setState({ value, error: null, at: Date.now() });
      } catch (error) {
        if (live) setState((s) => ({ ...s, error }));
      }
      if (live && document.visibilityState !== 'hidden') timer = window.setTimeout(run, everyMs);
      else if (live) timer = window.setTimeout(run, everyMs * 4);
    };
    run();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, []);
  return { ...state, set: (value: T) => setState({ value, error: null, at: Date.now() }) };
}
