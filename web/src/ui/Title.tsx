// The page's heading: it names the page in the tab and takes the focus after a navigation, so
// that screen-reader and keyboard users start at the top of the new page.
import { useEffect, useRef } from 'preact/hooks';

export function Title({ text }: { text: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${text} · Tickets`;
  }, [text]);
  useEffect(() => {
    ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 tabIndex={-1} ref={ref}>
      {text}
    </h1>
  );
}
