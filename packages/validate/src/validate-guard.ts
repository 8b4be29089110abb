import { GuardError, type GuardErrorDetail, type Packet, type PacketGuard } from '@portcullis/core';
import { compileSchemas, type CompiledEvent, type ValidateSchemas } from './compile-schemas';
import { detailsOf, formatPath } from './details';
import { resolveValidateOptions, type ValidateGuardOptions } from './options';
import { ShapeScanner, findFakeBinary } from './payload-shape';

const GUARD_NAME = 'validate';

function isBinary(value: unknown): boolean {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

/**
 * The name a packet's schema is found under: the name Socket.io dispatches it to. Its
 * parser accepts a number as event name and runs the listener registered under the
 * number's string form (`1` runs `'1'`), so a number is checked against the schema of
 * that string; looked up as the number, it would find none and pass unvalidated under
 * `unknownEvents: 'allow'`. Strings, the normal case, cost one `typeof`. Anything else
 * only a custom parser can produce, and it may still reach a listener (an array
 * `['chat:send']` runs `'chat:send'`): `undefined`, refused as an unknown event.
 */
function schemaName(name: unknown): string | undefined {
  if (typeof name === 'string') return name;
  return typeof name === 'number' ? String(name) : undefined;
}

function refusal(details: readonly GuardErrorDetail[], message?: string): GuardError {
  return new GuardError(
    'VALIDATION_FAILED',
    message === undefined ? { details } : { details, message },
  );
}

/**
 * Puts a validated value at `position`. A missing argument that joi filled with a
 * default is inserted before the ack (with `undefined` for any gap), so the handler
 * sees the default and the ack stays last. Returns the new index of the ack.
 */
function placeArgument(packet: Packet, position: number, ackIndex: number, value: unknown): number {
  if (position < ackIndex) {
    packet[position] = value;
    return ackIndex;
  }
  if (value === undefined) return ackIndex;
  const hasAck = ackIndex < packet.length;
  const ack = hasAck ? packet.pop() : undefined;
  while (packet.length < position) packet.push(undefined);
  packet.push(value);
  if (hasAck) packet.push(ack);
  return position + 1;
}

/**
 * Validates each packet against the joi schema of its event, before the handler runs.
 *
 * The validated values replace the arguments (conversions applied, unknown keys
 * stripped), so the handler sees exactly what the schema allows. Events without a
 * schema are refused unless `unknownEvents: 'allow'`. Payloads shaped for prototype
 * pollution are refused whatever the schema says. A refusal is `VALIDATION_FAILED` with
 * `details: [{ path, type }]` and never echoes the input. The ack (a function in last
 * position) is left alone. Schemas are compiled once, here.
 *
 * @example
 * usePacketGuards(io, validateGuard({
 *   'chat:send': Joi.object({ roomId: Joi.string().pattern(/^[\w-]{1,64}$/), message: Joi.string().max(1000) }),
 *   'cursor:move': [Joi.number(), Joi.number()],
 * }));
 */
export function validateGuard(
  schemas: ValidateSchemas,
  options: Readonly<ValidateGuardOptions> = {},
): PacketGuard {
  const settings = resolveValidateOptions(options);
  const events = compileSchemas(schemas, settings.joiOptions);
  const { rejectUnknownEvents } = settings;
  const scanner = new ShapeScanner({
    refuseConstructorKeys: settings.refuseConstructorKeys,
    maxDepth: settings.maxDepth,
  });
  // Nothing in it depends on the packet, so one instance serves every refusal.
  const unknownEvent = refusal(
    [{ path: '', type: 'event.unknown' }],
    'This event is not accepted by the server.',
  );

  /** Refuses an argument whose shape could pollute a prototype or smuggle a field. */
  const checkShape = (
    packet: Packet,
    ackIndex: number,
    positional: boolean,
  ): GuardError | undefined => {
    for (let position = 1; position < ackIndex; position++) {
      const problem = scanner.find(packet[position]);
      if (problem === undefined) continue;
      const argumentIndex = positional || position > 1 ? position - 1 : undefined;
      return refusal([
        { path: formatPath(problem.reversedPath.reverse(), argumentIndex), type: problem.type },
      ]);
    }
    return undefined;
  };

  const checkArguments = (
    packet: Packet,
    ackIndex: number,
    event: CompiledEvent,
  ): GuardError | undefined => {
    const { schemas: argumentSchemas, positional } = event;
    const count = argumentSchemas.length;
    if (ackIndex - 1 > count) {
      return refusal([{ path: `[${count}]`, type: 'arguments.tooMany' }]);
    }
    let ack = ackIndex;
    for (let index = 0; index < count; index++) {
      const position = index + 1;
      const input = position < ack ? packet[position] : undefined;
      if (event.objectArguments[index] === true && isBinary(input)) {
        return refusal([{ path: positional ? `[${index}]` : '', type: 'object.base' }]);
      }
      // The guard's options are baked into each schema at set-up (see compile-schemas).
      const result = (argumentSchemas[index] as CompiledEvent['schemas'][number]).validate(input);
      if (result.error !== undefined) {
        return refusal(detailsOf(result.error, positional ? index : undefined));
      }
      ack = placeArgument(packet, position, ack, result.value);
    }
    return scanner.sawBinary ? checkBinaryKept(packet, ack, positional) : undefined;
  };

  /** Refuses binary that an object schema accepted and cloned (see `findFakeBinary`). */
  const checkBinaryKept = (
    packet: Packet,
    ackIndex: number,
    positional: boolean,
  ): GuardError | undefined => {
    for (let position = 1; position < ackIndex; position++) {
      const path = findFakeBinary(packet[position]);
      if (path === undefined) continue;
      const argumentIndex = positional || position > 1 ? position - 1 : undefined;
      return refusal([{ path: formatPath(path, argumentIndex), type: 'object.base' }]);
    }
    return undefined;
  };

  return {
    guardName: GUARD_NAME,
    check: function validatePacket(_socket, packet) {
      const name = schemaName(packet[0]);
      if (name === undefined) return unknownEvent;
      const event = events.get(name);
      if (event === undefined && rejectUnknownEvents) return unknownEvent;
      const ackIndex =
        typeof packet[packet.length - 1] === 'function' ? packet.length - 1 : packet.length;
      scanner.sawBinary = false;
      const shapeError = checkShape(packet, ackIndex, event?.positional ?? false);
      if (shapeError !== undefined || event === undefined) return shapeError;
      return checkArguments(packet, ackIndex, event);
    },
  };
}
