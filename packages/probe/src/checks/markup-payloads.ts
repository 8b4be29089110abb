import type { SanitizedTarget } from '../options';
import { eventFrame } from '../wire/packets';
import { setJson } from './json-set';
import { argumentsJson } from './payloads';

/** Under the usual array-length limits of JSON-bomb guards (10 000). */
const MAX_STRINGS = 9000;
/** Room for the ack id's digits. */
const ACK_ID_ROOM = 8;

/** One way to fill a message with markup, and the same size without any. */
export interface MarkupShape {
  /** For the report, e.g. `60 KiB of "<b>" in bio`. */
  readonly label: string;
  readonly bomb: (ackId: number) => string;
  readonly control: (ackId: number) => string;
}

function frameOf(
  target: SanitizedTarget,
  namespace: string,
  field: readonly string[],
  valueJson: string,
): (ackId: number) => string {
  const args = argumentsJson(target.event, setJson(target.payload, field, valueJson));
  return (ackId) => eventFrame(namespace, ackId, args);
}

function formatSize(bytes: number): string {
  return bytes >= 1024 ? `${Math.round(bytes / 1024)} KiB` : `${bytes} B`;
}

/**
 * The markup bombs for `field`, each filling a message of about `bytes` (the whole
 * frame): one string of `<b>` tags, and (at most 9 000) strings of one `<b>` each.
 * Sanitizers pay per tag and per string; the same sizes without markup are the
 * controls. Empty when the sample payload alone is larger than `bytes`.
 */
export function markupShapes(
  target: SanitizedTarget,
  namespace: string,
  field: readonly string[],
  bytes: number,
): MarkupShape[] {
  const label = field.join('.');
  const room = (emptyJson: string): number =>
    bytes - Buffer.byteLength(frameOf(target, namespace, field, emptyJson)(0)) - ACK_ID_ROOM;
  const tags = Math.floor(room('""') / 3);
  const strings = Math.min(MAX_STRINGS, Math.floor((room('[]') + 1) / 6));
  if (tags < 1 || strings < 1) return [];
  const list = (item: string): string => `[${Array<string>(strings).fill(item).join(',')}]`;
  return [
    {
      label: `${formatSize(tags * 3)} of "<b>" in ${label}`,
      bomb: frameOf(target, namespace, field, JSON.stringify('<b>'.repeat(tags))),
      control: frameOf(target, namespace, field, JSON.stringify('x'.repeat(tags * 3))),
    },
    {
      label: `${strings} "<b>" strings in ${label}`,
      bomb: frameOf(target, namespace, field, list('"<b>"')),
      control: frameOf(target, namespace, field, list('"xbx"')),
    },
  ];
}
