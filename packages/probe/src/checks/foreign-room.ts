import { randomBytes } from 'node:crypto';
import type { ProbeContext } from '../context';
import { notApplicable, outcomeOf, refusals, type CheckOutcome } from '../judge';
import type { Evidence } from '../report';
import { eventFrame } from '../wire/packets';
import type { ProbeSocket } from '../wire/probe-socket';
import { packetAttempt } from './packet-attempt';
import { messagePrecondition } from './payload-control';
import { argumentsJson } from './payloads';

/** A copy of `payload` with the value at `path` replaced. */
function withValueAt(payload: unknown, path: readonly string[], value: string): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  const object =
    typeof payload === 'object' && payload !== null && !Array.isArray(payload)
      ? (payload as Record<string, unknown>)
      : {};
  return { ...object, [head]: withValueAt(object[head], rest, value) };
}

/** Whether any event reached `socket` while `run` went on (the write got through to it). */
async function watching<T>(socket: ProbeSocket, run: () => Promise<T>): Promise<[T, boolean]> {
  let received = false;
  const onEvent = (): void => {
    received = true;
  };
  socket.on('event', onEvent);
  try {
    const result = await run();
    // The server relays before it acks, but the relay travels on another connection.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return [result, received];
  } finally {
    socket.off('event', onEvent);
  }
}

/**
 * Sends the payload as given with its room replaced: first by a room this client never
 * joined, then by another client's own room (every Socket.io socket is in a room named
 * by its id, so a server that writes into whatever room the payload names lets anyone
 * message anyone). A server that checks membership and rights refuses both.
 */
export async function foreignRoomCheck(ctx: ProbeContext): Promise<CheckOutcome> {
  const { room, payload, namespace } = ctx.options;
  if (room === undefined) {
    return notApplicable(
      'needs --room-field: the field of --payload naming the room --event writes into',
    );
  }
  const unmet = await messagePrecondition(ctx);
  if (unmet !== undefined) return unmet;
  const event = ctx.options.event as string;
  const field = room.field.join('.');
  const send = (target: string, attempt: string): Promise<Evidence> =>
    packetAttempt(ctx, attempt, (ackId) => [
      eventFrame(
        namespace,
        ackId,
        argumentsJson(event, JSON.stringify(withValueAt(payload, room.field, target))),
      ),
    ]);

  const evidence: Evidence[] = [
    await send(
      `probe-foreign-${randomBytes(4).toString('hex')}`,
      `"${event}" into a room this client never joined (${field})`,
    ),
  ];
  const other = await ctx.honestSocket();
  try {
    if (other.sid === undefined) {
      evidence.push({
        attempt: `"${event}" into another client's own room`,
        received: 'no socket id in the CONNECT answer',
        verdict: 'not-applicable',
      });
    } else {
      const [item, reached] = await watching(other, () =>
        send(other.sid as string, `"${event}" into another client's own room (its socket id)`),
      );
      evidence.push(reached ? { ...item, note: 'the other client received it' } : item);
    }
  } finally {
    other.close();
  }
  return outcomeOf(evidence, {
    pass: (items) => `writing into rooms this client is not in was ${refusals(items)}`,
    fail: (miss) => `${miss.attempt} was ${miss.received}${miss.note ? ` (${miss.note})` : ''}`,
  });
}
