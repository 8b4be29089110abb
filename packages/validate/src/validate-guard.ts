import {
  FALLBACK_STRUCTURE_LIMITS,
  GuardError,
  PayloadFeature,
  StructureViolation,
  argumentsEnd,
  checkOptions,
  checkedDepthOf,
  ensurePayloadStructure,
  isBinaryValue,
  opt,
  payloadHas,
  structureRefusals,
  type GuardErrorDetail,
  type Packet,
  type PacketGuard,
} from '@portcullis/core';
import {
  compileSchemas,
  validateSchemasSpec,
  type CompiledEvent,
  type ValidateSchemas,
} from './compile-schemas';
import { detailsOf, formatPath } from './details';
import { resolveValidateOptions, type ValidateGuardOptions } from './options';
import { findFakeBinary, findShapeProblem } from './payload-shape';

const GUARD_NAME = 'validate';

/** The schema map, checked as `schemas` so errors read `schemas["chat:send"]`. */
const schemasArgumentSpec = opt.object({ schemas: opt.required(validateSchemasSpec) });

/**
 * What the guard answers when it ran core's structure walk itself (no size-limit guard
 * in front): the same errors size-limit gives, with the fallback's limits.
 */
const fallbackRefusals = structureRefusals(FALLBACK_STRUCTURE_LIMITS);
/** A key the walk noted but the search could not place (a polluted `for…in`): fail closed. */
const prototypeKeyRefusal = fallbackRefusals[StructureViolation.PROTOTYPE_KEY] as GuardError;

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
  checkOptions(schemasArgumentSpec, { schemas }, 'validateGuard');
  const settings = resolveValidateOptions(options);
  const events = compileSchemas(schemas, settings.joiOptions);
  const { rejectUnknownEvents, refuseConstructorKeys } = settings;
  // Nothing in it depends on the packet, so one instance serves every refusal.
  const unknownEvent = refusal(
    [{ path: '', type: 'event.unknown' }],
    'This event is not accepted by the server.',
  );

  /**
   * The refusal of a packet whose shape core's walk refused (`violation`) or whose keys
   * it noted: the path of the first unsafe spot, or, when there is none to name (too
   * deep, a function, a forged placeholder), the walk's own answer. Refused packets only.
   */
  const shapeRefusal = (
    packet: Packet,
    end: number,
    positional: boolean,
    violation: StructureViolation,
  ): GuardError => {
    if (violation !== StructureViolation.DEPTH) {
      const levels = checkedDepthOf(packet) ?? FALLBACK_STRUCTURE_LIMITS.maxDepth;
      for (let position = 1; position < end; position++) {
        const problem = findShapeProblem(packet[position], refuseConstructorKeys, levels);
        if (problem === undefined) continue;
        const argumentIndex = positional || position > 1 ? position - 1 : undefined;
        return refusal([
          { path: formatPath(problem.reversedPath.reverse(), argumentIndex), type: problem.type },
        ]);
      }
    }
    return fallbackRefusals[violation] ?? prototypeKeyRefusal;
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
      if (event.objectArguments[index] === true && isBinaryValue(input)) {
        return refusal([{ path: positional ? `[${index}]` : '', type: 'object.base' }]);
      }
      // The guard's options are baked into each schema at set-up (see compile-schemas).
      const result = (argumentSchemas[index] as CompiledEvent['schemas'][number]).validate(input);
      if (result.error !== undefined) {
        return refusal(detailsOf(result.error, positional ? index : undefined));
      }
      ack = placeArgument(packet, position, ack, result.value);
    }
    return payloadHas(packet, PayloadFeature.BINARY)
      ? checkBinaryKept(packet, ack, positional)
      : undefined;
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
      const end = argumentsEnd(packet);
      const positional = event?.positional ?? false;
      // Joi recurses over the payload: its depth must be bounded. Walked by size-limit
      // already (the usual chain), or walked here once with core's fallback limits.
      const violation = ensurePayloadStructure(packet, FALLBACK_STRUCTURE_LIMITS);
      if (violation !== StructureViolation.OK) {
        return shapeRefusal(packet, end, positional, violation);
      }
      if (
        payloadHas(packet, PayloadFeature.PROTO_KEY) ||
        (refuseConstructorKeys && payloadHas(packet, PayloadFeature.CONSTRUCTOR_KEY))
      ) {
        return shapeRefusal(packet, end, positional, StructureViolation.PROTOTYPE_KEY);
      }
      if (event === undefined) return undefined;
      return checkArguments(packet, end, event);
    },
  };
}
