import type { GuardErrorCode } from './codes';
import { getContext } from './context';
import type {
  RefusalWeight,
  SecurityEvent,
  SecurityEventDetail,
  SecurityEventType,
} from './events';
import { settingsOf } from './settings';
import type { AnySocket } from './socket-types';

export interface RecordFields {
  code?: GuardErrorCode;
  event?: string;
  guard?: string;
  refusalWeight?: RefusalWeight;
  detail?: SecurityEventDetail;
}

/** Longest event name copied into a security event or an error reply. */
const MAX_EVENT_NAME_LENGTH = 128;

/** A client-chosen event name, cut to a length that cannot flood a log. */
export function safeEventName(name: unknown): string | undefined {
  // Socket.io dispatches a number name to the listener of its string form: say so.
  if (typeof name === 'number') return String(name);
  if (typeof name !== 'string') return undefined;
  return name.length > MAX_EVENT_NAME_LENGTH ? name.slice(0, MAX_EVENT_NAME_LENGTH) : name;
}

/**
 * Puts one event about a socket on its server's bus. Costs nothing when no sink is
 * listening. Fields come from the context: address, origin and the verified user id.
 */
export function recordSocketEvent(
  socket: AnySocket,
  type: SecurityEventType,
  fields: RecordFields = {},
): void {
  const settings = settingsOf(socket);
  if (settings.bus.listenerCount === 0) return;
  const context = getContext(socket);
  const event: { -readonly [K in keyof SecurityEvent]: SecurityEvent[K] } = {
    type,
    at: settings.now(),
    ip: context.ip,
    socketId: socket.id,
  };
  if (context.origin !== undefined) event.origin = context.origin;
  if (context.user !== undefined) event.userId = context.user.id;
  if (fields.code !== undefined) event.code = fields.code;
  const eventName = safeEventName(fields.event);
  if (eventName !== undefined) event.event = eventName;
  if (fields.guard !== undefined) event.guard = fields.guard;
  if (fields.refusalWeight !== undefined) event.refusalWeight = fields.refusalWeight;
  if (fields.detail !== undefined) event.detail = fields.detail;
  settings.bus.emit(event);
}
