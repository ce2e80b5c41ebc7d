// The organiser's token (sessionStorage: it goes with the tab) and the events this tab has
// created or read, since a draft cannot be read back through the public API.
import type { EventDetail } from '../api/types';

const TOKEN = 'tickets.admin.token';
const KNOWN = 'tickets.admin.events';

export const adminToken = {
  get: () => sessionStorage.getItem(TOKEN),
  set: (token: string) => sessionStorage.setItem(TOKEN, token),
  clear: () => sessionStorage.removeItem(TOKEN),
};

export function knownEvents(): Record<number, EventDetail> {
  try {
    return JSON.parse(sessionStorage.getItem(KNOWN) ?? '{}') as Record<number, EventDetail>;
  } catch {
    return {};
  }
}

export function remember(event: EventDetail): void {
  sessionStorage.setItem(KNOWN, JSON.stringify({ ...knownEvents(), [event.id]: event }));
}
