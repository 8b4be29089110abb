import type { GuardErrorInfo } from './guard-error-info';
import { limitsForEvent, type EventLimits, type ServerLimits } from './limits';
import { measureMessage, type MeasureOptions } from './measure';

/** Stands for a binary attachment in the parsed copy of a binary message. */
const BINARY = Symbol('binary');

function tooLarge(
  event: string,
  message: string,
  info: Record<string, string | number | boolean>,
): GuardErrorInfo {
  return { code: 'PAYLOAD_TOO_LARGE', message, retryable: false, info, event, local: true };
}

function invalid(event: string, message: string, type: string): GuardErrorInfo {
  return {
    code: 'VALIDATION_FAILED',
    message,
    retryable: false,
    details: [{ path: '', type }],
    event,
    local: true,
  };
}

function isPlaceholder(value: unknown): value is { num: number } {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { _placeholder?: unknown })._placeholder === true &&
    typeof (value as { num?: unknown }).num === 'number'
  );
}

// One walk at a time (it is synchronous): the explicit stack is shared and reused.
const stackValues: unknown[] = [];
const stackDepths: number[] = [];

/**
 * Walks what the server will decode (the JSON parsed back, attachments in their
 * places) with the server's rules and messages, iteratively like the server.
 */
function checkStructure(
  event: string,
  args: readonly unknown[],
  limits: EventLimits,
): GuardErrorInfo | undefined {
  const maxKeys = limits.maxKeys ?? Infinity;
  const maxArrayLength = limits.maxArrayLength ?? Infinity;
  const maxStringLength = limits.maxStringLength ?? Infinity;
  const maxAttachments = limits.maxAttachments ?? Infinity;
  stackValues.length = stackDepths.length = 0;
  for (let index = 1; index < args.length; index++) {
    stackValues.push(args[index]);
    stackDepths.push(1);
  }
  let attachments = 0;
  while (stackValues.length > 0) {
    const value = stackValues.pop();
    const depth = stackDepths.pop() as number;
    if (typeof value === 'string') {
      if (value.length > maxStringLength) {
        return tooLarge(event, 'A string in the message is too long.', {
          limit: 'maxStringLength',
          max: maxStringLength,
        });
      }
      continue;
    }
    if (value === BINARY) {
      if (!limits.binary)
        return invalid(event, 'This event does not accept binary data.', 'binary');
      if (++attachments > maxAttachments) {
        return tooLarge(event, 'The message has too many binary attachments.', {
          limit: 'maxAttachments',
          max: maxAttachments,
        });
      }
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > limits.maxDepth) {
      return tooLarge(event, 'The message is nested too deeply.', {
        limit: 'maxDepth',
        max: limits.maxDepth,
      });
    }
    if (Array.isArray(value)) {
      if (value.length > maxArrayLength) {
        return tooLarge(event, 'An array in the message is too long.', {
          limit: 'maxArrayLength',
          max: maxArrayLength,
        });
      }
      for (let index = 0; index < value.length; index++) {
        stackValues.push(value[index]);
        stackDepths.push(depth + 1);
      }
      continue;
    }
    const record = value as Record<string, unknown>;
    if (record._placeholder === true) {
      // The server takes a placeholder left in a decoded message for a forged one.
      return invalid(event, 'The message holds a value that is not plain data.', 'plainData');
    }
    let keys = 0;
    for (const key in record) {
      if (++keys > maxKeys) {
        return tooLarge(event, 'An object in the message has too many keys.', {
          limit: 'maxKeys',
          max: maxKeys,
        });
      }
      stackValues.push(record[key]);
      stackDepths.push(depth + 1);
    }
  }
  return undefined;
}

/**
 * Judges `socket.emit(event, ...args)` against the limits a server advertised, the way
 * that server will: the byte count first, then the structure. Returns the refusal the
 * server would answer (`PAYLOAD_TOO_LARGE`, or `VALIDATION_FAILED` for binary where the
 * event takes none or a value Socket.io cannot send), marked `local: true`; `undefined`
 * when the message fits.
 */
export function checkMessage(
  limits: ServerLimits,
  event: string,
  args: readonly unknown[],
  options: MeasureOptions = {},
): GuardErrorInfo | undefined {
  const eventLimits = limitsForEvent(limits, event);
  let measured;
  try {
    measured = measureMessage(event, args, options);
  } catch {
    return invalid(event, 'The message holds a value that cannot be sent.', 'plainData');
  }
  if (measured.bytes > eventLimits.maxBytes) {
    return tooLarge(event, 'The message is too large.', {
      limit: 'maxBytes',
      max: eventLimits.maxBytes,
      limitBytes: eventLimits.maxBytes,
      bytes: measured.bytes,
    });
  }
  // A reviver slows parsing down 3 to 4 times: only binary messages need one.
  const decoded = (
    measured.attachments > 0
      ? JSON.parse(measured.json, (_key, value: unknown) => (isPlaceholder(value) ? BINARY : value))
      : JSON.parse(measured.json)
  ) as unknown[];
  const verdict = checkStructure(event, decoded, eventLimits);
  // Nothing of the message outlives the check in the shared stack.
  stackValues.length = stackDepths.length = 0;
  return verdict;
}
