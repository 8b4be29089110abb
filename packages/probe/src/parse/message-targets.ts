import { fail, optionalString } from './values';

/** Where the message checks' payload names the room it writes into. */
export interface RoomTarget {
  /** The path of the room field in `payload`, as segments: `roomId`, `target.room`. */
  readonly field: readonly string[];
}

/** An event the server protects against replays, with the fields that make a message unique. */
export interface ReplayTarget {
  readonly event: string;
  /** A payload the server accepts for `event`, without the id and time. */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly idField: string;
  readonly timeField: string;
}

const FIELD_NAME = /^[\w$-]+$/;

/** `undefined` without `roomField`: the foreign-room check is then not applicable. */
export function resolveRoomTarget(
  roomField: string | undefined,
  payload: unknown,
): RoomTarget | undefined {
  if (roomField === undefined) return undefined;
  const segments = typeof roomField === 'string' ? roomField.split('.') : [];
  if (segments.length === 0 || segments.some((segment) => !FIELD_NAME.test(segment))) {
    fail(`roomField: "${String(roomField)}" must be a field path such as roomId or target.room.`);
  }
  let holder: unknown = payload;
  for (const segment of segments) {
    holder =
      typeof holder === 'object' && holder !== null && !Array.isArray(holder)
        ? (holder as Record<string, unknown>)[segment]
        : undefined;
  }
  if (typeof holder !== 'string') {
    fail(
      `roomField: payload.${segments.join('.')} must be the name of a room the honest client may write into, e.g. { "roomId": "general", "text": "hi" }.`,
    );
  }
  return { field: segments };
}

export interface ReplayOptions {
  readonly replayEvent?: string | undefined;
  readonly replayPayload?: unknown;
  readonly replayIdField?: string | undefined;
  readonly replayTimeField?: string | undefined;
}

/** `undefined` without `replayEvent`: the replay check is then not applicable. */
export function resolveReplayTarget(options: ReplayOptions): ReplayTarget | undefined {
  const event = optionalString('replayEvent', options.replayEvent);
  if (event === undefined) {
    for (const key of ['replayPayload', 'replayIdField', 'replayTimeField'] as const) {
      if (options[key] !== undefined) fail(`${key} needs replayEvent: the event to replay.`);
    }
    return undefined;
  }
  const payload = options.replayPayload ?? {};
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload) ||
    JSON.stringify(payload) === undefined
  ) {
    fail('replayPayload must be a JSON object, e.g. { "choice": "a" }.');
  }
  const field = (name: string, value: string | undefined, fallback: string): string => {
    const chosen = optionalString(name, value) ?? fallback;
    if (!FIELD_NAME.test(chosen))
      fail(`${name}: "${chosen}" must be a field name such as messageId.`);
    return chosen;
  };
  const idField = field('replayIdField', options.replayIdField, 'messageId');
  const timeField = field('replayTimeField', options.replayTimeField, 'sentAt');
  if (idField === timeField) fail('replayIdField and replayTimeField must differ.');
  return { event, payload: payload as Record<string, unknown>, idField, timeField };
}
