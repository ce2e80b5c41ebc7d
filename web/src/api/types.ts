// What the app needs beyond the API document: the wire types themselves come from the generated
// `schema.ts` (through the aliases in client.ts), so nothing here repeats the document.
import type { components } from './schema';

/** Every own field of an event, as the organiser's form reads them (a full `EventPatch`). */
export type EventFields = Required<components['schemas']['EventPatch']>;
