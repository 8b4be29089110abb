import {
  GuardError,
  PACKET_HANDLED,
  StructureViolation,
  checkPayloadStructure,
  disconnectWithCode,
  recordSocketEvent,
  type AnyServer,
  type AnySocket,
  type Packet,
  type PacketGuard,
  type PacketVerdict,
} from '@portcullis/core';
import { limitsAnswerer } from './limits-answer';
import {
  largestMaxBytes,
  resolveOptions,
  type ResolvedLimits,
  type SizeLimitGuardOptions,
} from './options';
import { PacketSizes, type ConnectionSockets } from './packet-sizes';
import { publicLimits, type PublicLimits } from './public-limits';
import { buildRefusals, type Refusals } from './refusals';
import { checkServerOptions } from './server-options';

export const GUARD_NAME = 'size-limit';

/** The packet guard, plus the limits it enforces. */
export interface SizeLimitGuard extends PacketGuard {
  /** The effective limits, as sent to the clients that ask on `limitsEvent`. */
  readonly limits: PublicLimits;
  /** The largest `maxBytes` of any event; what `maxHttpBufferSize` must exceed. */
  readonly largestMaxBytes: number;
}

interface CompiledLimits {
  readonly limits: ResolvedLimits;
  readonly refusals: Refusals;
}

function compile(limits: ResolvedLimits): CompiledLimits {
  return { limits, refusals: buildRefusals(limits) };
}

/**
 * Refuses messages over a byte size measured on the raw engine.io frames, and arguments
 * that are too deep, too wide, too long, or not plain data (JSON bombs and parser type
 * confusion), before any handler or schema sees them. Install it first among the packet
 * guards: `usePacketGuards(io, sizeLimitGuard(), …)`.
 *
 * @example Defaults: 64 KiB per message, depth 32, no binary
 * ```ts
 * const io = new Server(httpServer, { maxHttpBufferSize: 131_072 });
 * usePacketGuards(io, sizeLimitGuard());
 * ```
 *
 * @example A bigger limit and binary for one event
 * ```ts
 * usePacketGuards(io, sizeLimitGuard({
 *   events: { 'file:upload': { maxBytes: 4_000_000, binary: true, maxAttachments: 1 } },
 * }));
 * ```
 */
export function sizeLimitGuard(options: Readonly<SizeLimitGuardOptions> = {}): SizeLimitGuard {
  const resolved = resolveOptions(options);
  const defaults = compile(resolved.defaults);
  const byEvent = new Map<string, CompiledLimits>();
  for (const [event, limits] of resolved.events) byEvent.set(event, compile(limits));
  const hasEventLimits = byEvent.size > 0;
  const largest = largestMaxBytes(resolved);
  const limits = publicLimits(resolved);

  const unmeasured = new GuardError('INTERNAL', {
    message: 'The server could not measure this message.',
  });
  const tooDeepToDecode = new GuardError('PAYLOAD_TOO_LARGE', {
    message: 'The message is nested too deeply.',
  });
  let smallest = resolved.defaults.maxBytes;
  for (const eventLimits of resolved.events.values()) {
    smallest = Math.min(smallest, eventLimits.maxBytes);
  }
  const checkedServers = new WeakSet<AnyServer>();
  let warnedUnmeasurable = false;

  const onTooDeep = (sockets: ConnectionSockets, close: () => void): void => {
    for (const socket of sockets()) {
      if (socket.connected) {
        // Closes the whole connection, before Socket.io decodes the frame.
        disconnectWithCode(socket, tooDeepToDecode, GUARD_NAME);
        return;
      }
    }
    close();
  };

  const sizes = new PacketSizes(smallest, onTooDeep);

  const warnServerOptions = (socket: AnySocket): void => {
    const server = socket.nsp.server;
    if (checkedServers.has(server)) return;
    checkedServers.add(server);
    for (const warning of checkServerOptions(server, { largestMaxBytes: largest })) {
      process.emitWarning(warning.message, { code: warning.code });
      recordSocketEvent(socket, 'warning', {
        guard: GUARD_NAME,
        detail: { code: warning.code, recommended: warning.recommended },
      });
    }
  };

  function attachSizeLimit(socket: AnySocket): void {
    if (resolved.warnOnServerOptions) warnServerOptions(socket);
    if (!sizes.watch(socket) && !warnedUnmeasurable) {
      warnedUnmeasurable = true;
      process.emitWarning(
        'size-limit could not find the engine.io connection or the Socket.io decoder of a ' +
          'socket; every message will be refused with INTERNAL. Check the socket.io version.',
        { code: 'PORTCULLIS_SIZE_LIMIT_UNMEASURABLE' },
      );
    }
    if (resolved.limitsEvent !== false && resolved.sendLimits === 'on-connect') {
      socket.emit(resolved.limitsEvent, limits);
    }
  }

  const limitsEvent = resolved.limitsEvent;
  const answerLimits = limitsEvent === false ? undefined : limitsAnswerer(limitsEvent, limits);

  const badEventName = new GuardError('VALIDATION_FAILED', {
    message: 'The event name is not valid.',
    details: [{ path: '', type: 'eventName' }],
  });

  // Refusals are answered by core's refusePacket, which also weighs them: core's
  // escalation, not this guard, decides when a socket that keeps sending oversized or
  // malformed messages is cut (PAYLOAD_TOO_LARGE weighs 5: 10 of them in 10 s).
  function checkSizeLimit(socket: AnySocket, packet: Packet): PacketVerdict {
    const name: unknown = packet[0];
    // Only strings: Socket.io's parser also accepts a number and runs the listener
    // registered under its string form, past every rule looked up by the name as sent.
    // An event packet without a payload (`42`, `421`) has no name at all: Socket.io
    // hands over an argument array of its own, which no frame was measured for.
    if (typeof name !== 'string') return badEventName;
    const bytes = sizes.take(packet);
    if (bytes === undefined) return unmeasured;
    const compiled = (hasEventLimits && byEvent.get(name)) || defaults;
    if (bytes > compiled.limits.maxBytes) return compiled.refusals.tooManyBytes;
    // The one structure walk: it marks the packet it lets through, so validate and
    // sanitize after this guard do not walk it again.
    const violation = checkPayloadStructure(packet, compiled.limits);
    if (violation === StructureViolation.OK) {
      // A client asking for the limits, measured and checked as any message first.
      if (name === limitsEvent && answerLimits?.(socket, packet) === true) return PACKET_HANDLED;
      return undefined;
    }
    return compiled.refusals.byViolation[violation];
  }

  return {
    guardName: GUARD_NAME,
    check: checkSizeLimit,
    attach: attachSizeLimit,
    limits,
    largestMaxBytes: largest,
  };
}
