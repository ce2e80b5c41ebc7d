// Messages announced to screen readers: `alert` for problems, `status` for news.
import type { ComponentChildren } from 'preact';

export function Alert({ kind = 'error', children }: { kind?: 'error' | 'info' | 'ok'; children: ComponentChildren }) {
  return (
    <div class={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
